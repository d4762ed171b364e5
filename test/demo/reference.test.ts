// `--tag` of `runj demo oci-image`: Docker references normalized as containerd stores them, and every malformed one refused.
import t from 'tap'
import { InvalidInputError } from '../../src/errors.js'
import { defaultImageName, imageReference } from '../../src/demo/reference.js'

function refusal(check: () => unknown): InvalidInputError | undefined {
  try {
    check()
  } catch (error) {
    if (error instanceof InvalidInputError) return error
    throw error
  }
  return undefined
}

t.test('short names get docker.io, library/ and :latest, as ParseDockerRef gives them', async (t) => {
  const cases: [string, string][] = [
    [defaultImageName('14.1-RELEASE'), 'docker.io/library/freebsd:14.1-RELEASE'],
    ['freebsd', 'docker.io/library/freebsd:latest'],
    ['myorg/freebsd:base', 'docker.io/myorg/freebsd:base'],
    ['index.docker.io/library/freebsd:14.2-RC1', 'docker.io/library/freebsd:14.2-RC1'],
    ['localhost/freebsd:14', 'localhost/freebsd:14'],
    ['registry.example.org:5000/os/freebsd:14.1_p5', 'registry.example.org:5000/os/freebsd:14.1_p5'],
    ['Registry.Example.org/freebsd', 'Registry.Example.org/freebsd:latest'],
    ['ghcr.io/a/b/c.d-e_f:V1', 'ghcr.io/a/b/c.d-e_f:V1'],
  ]
  for (const [name, normalized] of cases) t.equal(imageReference(name), normalized, name)
})

t.test('malformed references are refused (exit 2), naming the flag', async (t) => {
  const refused: [string, RegExp][] = [
    ['', /not an image reference/],
    ['FreeBSD:14.1-RELEASE', /upper-case/],
    ['freebsd:-x', /invalid tag/],
    ['freebsd:a/b', /invalid registry/],
    [`freebsd:${'x'.repeat(129)}`, /invalid tag/],
    [`freebsd@sha256:${'a'.repeat(64)}`, /digest/],
    ['a//b', /invalid repository name/],
    ['/freebsd', /invalid repository name/],
    ['freebsd-:1', /invalid repository name/],
    ['bad_host.example.org/x', /invalid registry/],
    ['a'.repeat(64), /image id/],
    [`registry.example.org/${'a'.repeat(250)}`, /longer than 255/],
    // distribution/reference takes a run of dashes; image-spec annotations.md allows only - and --.
    ['a---b:1', /ref\.name/],
    ['a__b:1', /ref\.name/],
    ['freebsd:1.0_', /ref\.name/],
  ]
  for (const [name, problem] of refused) {
    const error = refusal(() => imageReference(name))
    t.ok(error instanceof InvalidInputError && error.where === '--tag', `${JSON.stringify(name)} refused`)
    t.match(error?.message, problem)
  }
  t.equal(refusal(() => imageReference('x:-', '-v'))?.where, '-v', 'the caller names the source')
})
