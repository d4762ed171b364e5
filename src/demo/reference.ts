// Image names for `runj demo oci-image --tag`: Docker references normalized as containerd and podman name images. Pure.
import { InvalidInputError } from '../errors.js'

// distribution/reference (regexp.go), the grammar containerd, CRI, nerdctl and podman parse image names with.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?$`)
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/
const NAME_TOTAL_LENGTH_MAX = 255
// image-spec annotations.md, org.opencontainers.image.ref.name: `ref ::= component ("/" component)*`,
// `component ::= alphanum (separator alphanum)*`, `separator ::= [-._:@+] | "--"`.
const OCI_COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*'
const OCI_REF_NAME = new RegExp(`^${OCI_COMPONENT}(?:/${OCI_COMPONENT})*$`)

/** The name of the image built from a release: `freebsd:14.1-RELEASE`, before normalization. */
export const defaultImageName = (version: string): string => `freebsd:${version}`

/**
 * `name[:tag]` as containerd stores it when it normalizes a Docker reference (images/archive normalizeReference,
 * distribution/reference ParseDockerRef): the docker.io domain and library/ namespace added to a short name, `:latest`
 * to a name without a tag. `ctr image import` keeps an index.json ref.name that holds a `/` or `:` as it is (AddRefPrefix),
 * and CRI, nerdctl and podman resolve `freebsd:14.1-RELEASE` to this full form, so the image answers to both.
 */
export function imageReference(name: string, where = '--tag'): string {
  const bad = (problem: string) => new InvalidInputError(where, `${JSON.stringify(name)} ${problem}`)
  if (name.length === 0 || name.length > 512) throw bad('is not an image reference like freebsd:14.1-RELEASE')
  if (/^[a-f0-9]{64}$/.test(name)) throw bad('is an image id (64 hex digits), not a name')
  if (name.includes('@')) throw bad('has a digest: a digest names existing content, give a tag (like freebsd:14.1-RELEASE)')
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  const [repository, tag] = colon > slash ? [name.slice(0, colon), name.slice(colon + 1)] : [name, 'latest']
  if (!TAG.test(tag)) throw bad('has an invalid tag: letters, digits, _, . and - (not first), at most 128')
  const [domain, path] = splitDomain(repository)
  if (path !== path.toLowerCase()) throw bad('has upper-case letters in its repository name')
  if (!DOMAIN.test(domain)) throw bad(`has an invalid registry ${JSON.stringify(domain)}`)
  if (!path.split('/').every((component) => PATH_COMPONENT.test(component))) {
    throw bad('has an invalid repository name: lower-case letters and digits, separated by ., _, __ or -, in /-separated parts')
  }
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) throw bad(`is longer than ${NAME_TOTAL_LENGTH_MAX} characters`)
  const reference = `${domain}/${path}:${tag}`
  if (!OCI_REF_NAME.test(reference)) throw bad('is not a valid org.opencontainers.image.ref.name (image-spec annotations.md: no doubled separators but --)')
  return reference
}

/** distribution/reference splitDockerDomain: a first part with a `.` or `:`, or `localhost`, is a registry. */
function splitDomain(repository: string): [string, string] {
  const slash = repository.indexOf('/')
  const first = repository.slice(0, slash)
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())
  let [domain, path] = hasDomain ? [first, repository.slice(slash + 1)] : ['docker.io', repository]
  if (domain === 'index.docker.io') domain = 'docker.io'
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`
  return [domain, path]
}
