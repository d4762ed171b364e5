// `runj demo ...`: the helpers that take a FreeBSD user from nothing to a container or an OCI image (issue 7).
// Registered at start-up; each action loads its implementation lazily, so other commands pay nothing for it.
import { Command } from 'commander'
import type { Context } from './context.js'

export type Run = (action: (context: Context) => Promise<void>) => Promise<void>

export function addDemoCommands(program: Command, run: Run): void {
  const demo = program
    .command('demo')
    .description('helpers: download a FreeBSD base, write a spec, build a rootfs or an OCI image')
    // spec's command may carry its own options (runj demo spec --args sh -c 'echo hi'): they are the command's.
    .enablePositionalOptions()
  demo
    .command('download')
    .description("download a FreeBSD release's base.txz and verify it against the release's MANIFEST")
    .option('-m, --machine <machine>', 'hardware platform, as uname -m (default: this host\'s)')
    .option('-a, --arch <arch>', 'processor architecture, as uname -p (default: this host\'s)')
    .option('-v, --version <version>', 'release, like 14.1-RELEASE (default: this host\'s freebsd-version)')
    .option('-o, --output <file>', 'where to write it', 'base.txz')
    .option('--mirror <url>', 'the FreeBSD mirror to download from (default https://download.freebsd.org)')
    .option('-f, --force', 'replace an existing output file')
    .action((options: Record<string, string | boolean | undefined>) => run(async () => (await import('../demo/download.js')).downloadCommand(options)))
  demo
    .command('spec')
    .description("write a config.json that runj create accepts as it is (a shell in the bundle's rootfs)")
    .argument('[args...]', 'the process (after --args or --)')
    .option('-b, --bundle <dir>', 'the bundle directory', '.')
    .option('--rootless', 'run the process as nobody (uid 65534) instead of root')
    .option('--args', 'the rest of the command line is the process to run (default: /bin/sh)')
    .passThroughOptions()
    .action((args: string[], options: { bundle: string; rootless?: boolean; args?: boolean }) => run(async () => (await import('../demo/spec.js')).specCommand(args, options)))
  demo
    .command('rootfs')
    .description('build a minimal root filesystem from host programs and their shared libraries')
    .option('-o, --output <dir>', 'the directory to create', 'rootfs')
    .option('--from-host <program...>', 'host programs to copy (default: sh, env and a few utilities)')
    .action((options: { output: string; fromHost?: string[] }) => run(async () => (await import('../demo/rootfs-command.js')).rootfsCommand(options)))
  demo
    .command('oci-image')
    .description('build an OCI image layout tarball from a base.txz that containerd and podman can import')
    .option('-i, --input <file>', 'a base.txz (else -m, -a and -v download one)')
    .option('-m, --machine <machine>', 'hardware platform to download for, as uname -m')
    .option('-a, --arch <arch>', 'processor architecture, as uname -p')
    .option('-v, --version <version>', 'release to download, like 14.1-RELEASE')
    .option('--mirror <url>', 'the FreeBSD mirror to download from (with -m, -a, -v)')
    .option('-o, --output <file>', 'the image tarball to write', 'image.tar')
    .option('--tag <name>', 'the image reference name (default freebsd:<version>)')
    .option('-f, --force', 'replace an existing output file')
    .action((options: Record<string, string | boolean | undefined>) => run(async () => (await import('../demo/oci-image.js')).ociImageCommand(options)))
}
