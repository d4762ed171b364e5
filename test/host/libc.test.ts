// The terminal module against a real receiver: a pty pair, the master sent over a console socket with SCM_RIGHTS.
import { closeSync, mkdtempSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { closeFd, openPty, sendFd } from '../../src/host/libc.js'
import { consoleReceiver, havePython } from '../helpers/console-socket.js'

t.test('the master arrives over the socket, and what is written to it comes out of the slave', { skip: havePython ? false : 'python3 with socket.recv_fds is needed to play the receiver' }, async (t) => {
  // sun_path holds at most 107 bytes: a short directory, as conmon's and containerd's are.
  const dir = mkdtempSync('/tmp/runj-pty-')
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const socket = join(dir, 'console.sock')
  const receiver = await consoleReceiver(socket, 'ping\n', 'pong')
  const pty = openPty({ height: 40, width: 100 })
  t.match(pty.name, /^\/dev\/(pts\/\d+|pts\/\d+)$/)
  sendFd(socket, pty.master, pty.name)
  closeFd(pty.master)
  const buffer = Buffer.alloc(64)
  const n = readSync(pty.slave, buffer, 0, 64, null)
  t.equal(buffer.toString('utf8', 0, n).replace(/\r?\n$/, ''), 'ping', 'the receiver wrote to the master; the slave reads it')
  writeSync(pty.slave, 'pong\n')
  const out = await receiver.done
  closeSync(pty.slave)
  t.match(out, new RegExp(`name ${pty.name}\\n`), 'the message is the pty name, as runc sends it')
  t.match(out, /fds 1\n/)
  t.match(out, /isatty True\n/)
  t.match(out, /output '.*pong/)
})

t.test('a socket nobody listens on is a clear error', async (t) => {
  const pty = openPty(undefined)
  t.throws(() => sendFd('/nonexistent/console.sock', pty.master, pty.name), { message: /^connect to the console socket \/nonexistent\/console\.sock: No such file or directory/ })
  closeFd(pty.master)
  closeSync(pty.slave)
})
