// `runj demo ...`: the helpers that take a FreeBSD user from nothing to a container or an OCI image (issue 7).
// Registered at start-up; each action loads its implementation lazily, so other commands pay nothing for it.
import type { Command } from 'commander'
import type { Context } from './context.js'

export type Run = (action: (context: Context) => Promise<void>) => Promise<void>

export function addDemoCommands(program: Command, _run: Run): void {
  program.command('demo').description('helpers: download a FreeBSD base, write a spec, build a rootfs or an OCI image')
}
