// Plays conmon's and containerd's side of --console-socket: listens on an AF_UNIX socket, receives the pty master
// sent with SCM_RIGHTS, and then talks to the terminal. Python's socket.recv_fds does the receiving (Node cannot);
// the helper skips when python3 is missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export const havePython = spawnSync('python3', ['-c', 'import socket; socket.recv_fds'], { stdio: 'ignore' }).status === 0

/**
 * The receiver: accepts one connection, takes the fd, prints `name <message>` and `isatty <bool>`, writes `input` to
 * the master, then copies what the terminal prints to stdout until `until` appears (or 10 s pass).
 */
const RECEIVER = `
import os, select, socket, sys, time
path, data, until, hold = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), sys.argv[4] == "hold"
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path); srv.listen(1)
print("listening", flush=True)
conn, _ = srv.accept()
msg, fds, flags, addr = socket.recv_fds(conn, 4096, 1)
print("name", msg.decode(), flush=True)
print("fds", len(fds), flush=True)
master = fds[0]
print("isatty", os.isatty(master), flush=True)
if data: os.write(master, data)
out = b""
end = time.time() + 10
while until not in out and time.time() < end:
    r, _, _ = select.select([master], [], [], 0.2)
    if r:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk: break
        out += chunk
sys.stdout.write("output " + repr(out.decode(errors="replace")) + "\\n")
sys.stdout.flush()
# Keep the master open (closing it would hang up the terminal) until the test is done with the process.
if hold: time.sleep(30)
`

export interface Receiver {
  readonly child: ChildProcess
  readonly output: () => string
  readonly done: Promise<string>
}

/** With `hold`, the receiver keeps the master open after the answer until it is killed (the process lives on). */
export async function consoleReceiver(path: string, input: string, until: string, hold = false): Promise<Receiver> {
  const child = spawn('python3', ['-c', RECEIVER, path, input, until, hold ? 'hold' : 'close'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const done = new Promise<string>((resolve) => child.on('exit', () => resolve(out)))
  for (let i = 0; i < 100 && !(out.includes('listening') && existsSync(path)); i++) await sleep(20)
  return { child, output: () => out, done }
}
