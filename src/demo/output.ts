// The one output file a demo helper writes: the refusals made before any work starts, so a failed command writes nothing.
import type { Stats } from 'node:fs'
import { access, constants, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { InvalidInputError, OperationError } from '../errors.js'

/** stat(2), or null when nothing is there. */
export const statOrNull = (path: string): Promise<Stats | null> =>
  stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null
    throw error
  })

/**
 * `-o FILE` names a file in a writable directory, and an existing file is replaced only with --force (a conflict, exit
 * 1; the helpers replace it with rename(2) once the new file is complete).
 */
export async function checkOutputFile(output: string, force: boolean): Promise<void> {
  if (output === '' || output.endsWith('/')) throw new InvalidInputError('-o', `${JSON.stringify(output)} is not a file name`)
  const [file, parent] = [await statOrNull(output), await statOrNull(dirname(output))]
  if (file?.isDirectory() === true) throw new InvalidInputError('-o', `${output} is a directory`)
  if (parent?.isDirectory() !== true) throw new InvalidInputError('-o', `${dirname(output)} is not a directory`)
  if (file !== null && !force) throw new OperationError(`${output} exists (use --force to replace it)`)
  await access(dirname(output), constants.W_OK).catch((error: Error) => {
    throw new OperationError(`cannot write in ${dirname(output)}: ${error.message}`, { cause: error })
  })
}
