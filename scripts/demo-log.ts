// Writes a demo container's log through the real file store: the events a create/start/kill/delete would record.
import { FileEventStore } from '../src/store/file-store.js'
import { RUNJ_VERSION } from '../src/version.js'

const root = process.argv[2] as string
const store = new FileEventStore(root)
const actor = { uid: process.getuid?.() ?? 0, pid: process.pid, ppid: process.ppid, command: 'demo', runtime: `runj ${RUNJ_VERSION}` }
await store.appendToStream(
  'demo',
  [
    {
      type: 'ContainerCreateRequested',
      data: {
        id: 'demo',
        bundle: '/bundles/demo',
        configSha256: 'c'.repeat(64),
        ociVersion: '1.3.0',
        rootfs: '/bundles/demo/rootfs',
        jail: { name: 'demo', parameters: ['name=demo', 'path=/bundles/demo/rootfs', 'persist'] },
        mounts: [],
        process: { args: ['/bin/sh'], envNames: ['PATH'], cwd: '/', uid: 0, gid: 0, terminal: false },
        rctlRules: [],
        ignored: [],
        pidFile: null,
        annotations: {},
      },
    },
    { type: 'JailCreated', data: { name: 'demo', jid: 7 } },
    { type: 'EntrypointSpawned', data: { pid: 4242, startTime: new Date().toUTCString() } },
    { type: 'ContainerCreated', data: { pid: 4242 } },
  ],
  { expectedVersion: 0, actor },
)
process.stdout.write(`wrote 4 events to ${root}/containers/demo/events.jsonl\n`)
