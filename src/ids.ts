// Container id rules (design.md "Jail names"; jail(8): no "." in names, names cannot be numeric).
import { InvalidInputError } from './errors.js'

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
export const MAX_ID_LENGTH = 128

/** Returns the id when it can name both a jail and a state directory, else throws (exit 2). */
export function validateContainerId(id: string): string {
  const problem =
    id.length === 0
      ? 'container id is empty'
      : id.length > MAX_ID_LENGTH
        ? `container id is longer than ${MAX_ID_LENGTH} characters`
        : !ID_PATTERN.test(id)
          ? 'container id must match [A-Za-z0-9][A-Za-z0-9_-]* (jail names cannot contain "." or "/")'
          : /^[0-9]+$/.test(id)
            ? 'container id cannot be all digits (jail(8): a numeric name is a jid)'
            : undefined
  if (problem !== undefined) throw new InvalidInputError(`id ${JSON.stringify(id)}`, problem)
  return id
}
