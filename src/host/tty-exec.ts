// The terminal trampoline, a separate entry point (dist/tty-exec.js): runj starts it detached (so it leads a new
// session) with the pty's slave as stdin, stdout and stderr. It waits for `start` on the FIFO as the sh trampoline
// does (or not, for exec), makes the slave its controlling terminal (TIOCSCTTY: sh cannot) and execve(2)s the
// env -i ... jexec ... chain, so its pid becomes the container's process.
//   node tty-exec.js fifo <fifo> <umask> <argv...>
//   node tty-exec.js now - <umask> <argv...>
import { readFileSync } from 'node:fs'
import { execve, takeControllingTerminal } from './libc.js'

const [mode, fifo, umask, ...argv] = process.argv.slice(2)
try {
  if (mode === 'fifo') {
    // Opening the FIFO blocks until start or delete opens the other end; EOF without "start" means release.
    const word = readFileSync(fifo as string, 'utf8')
    if (word.split('\n')[0] !== 'start') process.exit(0)
  } else if (mode !== 'now') throw new Error(`unknown mode ${String(mode)}`)
  takeControllingTerminal()
  execve(argv, parseInt(umask as string, 8))
} catch (error) {
  process.stderr.write(`runj: terminal: ${(error as Error).message}\n`)
  process.exit(127)
}
