// Which of runj's fds a container or exec process inherits, as runc does: the LISTEN_FDS block first (socket
// activation: fds 3 .. 3+n-1, and LISTEN_FDS=n in the process's environment), then --preserve-fds N more.
// Nothing else: Node opens everything close-on-exec, and spawn passes only the fds listed.
import { fstatSync } from 'node:fs'
import { InvalidInputError } from '../errors.js'

export interface Inherited {
  readonly fds: number[]
  /** Added to the process's environment (LISTEN_FDS). */
  readonly env: string[]
}

export function inheritedFds(preserveFds: string | undefined, env: NodeJS.ProcessEnv): Inherited {
  let preserve = 0
  if (preserveFds !== undefined) {
    if (!/^(0|[1-9][0-9]{0,3})$/.test(preserveFds)) throw new InvalidInputError('--preserve-fds', `${JSON.stringify(preserveFds)} is not a number of fds`)
    preserve = Number(preserveFds)
  }
  const listenText = env['LISTEN_FDS']
  const listen = listenText !== undefined && /^[1-9][0-9]{0,3}$/.test(listenText) ? Number(listenText) : 0
  const fds = Array.from({ length: listen + preserve }, (_, i) => 3 + i)
  for (const fd of fds) {
    try {
      fstatSync(fd)
    } catch {
      throw new InvalidInputError(fd < 3 + listen ? 'LISTEN_FDS' : '--preserve-fds', `fd ${fd} is not open in runj`)
    }
  }
  return { fds, env: listen > 0 ? [`LISTEN_FDS=${listen}`] : [] }
}
