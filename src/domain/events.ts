// The event catalogue v1: one zod schema per event type (design.md "The event log"; past tense, PascalCase).
import { z } from 'zod'
import type { EventType } from './catalogue.js'

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/)
const absolutePath = z.string().startsWith('/')
const pid = z.number().int().positive()

/** A host mount runj makes for the container: `destination` inside the jail, `node` the host path it resolves to. */
export const MountRecord = z.object({
  type: z.string(),
  destination: absolutePath,
  source: z.string(),
  node: absolutePath,
  options: z.array(z.string()),
})

/** The process a container will run; env holds names only: the log never stores secrets. */
export const ProcessSummary = z.object({
  args: z.array(z.string()).min(1),
  envNames: z.array(z.string()),
  cwd: absolutePath,
  uid: z.number().int().nonnegative(),
  gid: z.number().int().nonnegative(),
  umask: z.number().int().min(0).max(0o777),
  terminal: z.boolean(),
})

/** Every event type with its data schema; the version is in `eventSchemaVersions`. */
export const eventDataSchemas = {
  ContainerCreateRequested: z.object({
    id: z.string(),
    bundle: absolutePath,
    configSha256: sha256Hex,
    ociVersion: z.string(),
    rootfs: absolutePath,
    jail: z.object({ name: z.string(), parameters: z.array(z.string()) }),
    mounts: z.array(MountRecord),
    process: ProcessSummary.nullable(),
    rctlRules: z.array(z.string()),
    ignored: z.array(z.string()),
    /** What was changed to run a Linux config here (mount types mapped or dropped, options dropped or translated, a Linux binary); absent from logs written before runj recorded it. */
    adapted: z.array(z.string()).optional(),
    pidFile: absolutePath.nullable(),
    annotations: z.record(z.string(), z.string()),
  }),
  JailCreated: z.object({ name: z.string(), jid: z.number().int().positive() }),
  MountApplied: MountRecord,
  LimitsApplied: z.object({ rules: z.array(z.string()) }),
  EntrypointSpawned: z.object({ pid, startTime: z.string() }),
  ContainerCreated: z.object({ pid: pid.nullable() }),
  ContainerStartRequested: z.object({}),
  ContainerStarted: z.object({ pid }),
  KillRequested: z.object({ signal: z.string(), all: z.boolean(), pid: pid.nullable() }),
  SignalSent: z.object({ signal: z.string(), pids: z.array(pid) }),
  ProcessExited: z.object({ pid, observed: z.literal(true), status: z.number().int().nullable() }),
  ContainerDeleteRequested: z.object({ force: z.boolean() }),
  JailRemoved: z.object({ name: z.string() }),
  MountReleased: z.object({ node: absolutePath }),
  LimitsRemoved: z.object({ rules: z.array(z.string()) }),
  ActionFailed: z.object({ action: z.string(), message: z.string(), stderr: z.string() }),
  CreateRolledBack: z.object({ undone: z.array(z.string()) }),
  ContainerDeleted: z.object({ archivedAs: z.string() }),
  /** runj update: the merged linux.resources, the rule set it gives with the policy and annotations, what was ignored. */
  LimitsUpdateRequested: z.object({ resources: z.record(z.string(), z.unknown()), rules: z.array(z.string()), ignored: z.array(z.string()) }),
  /** The difference applied: `rules` is the whole set now in force. */
  LimitsUpdated: z.object({ rules: z.array(z.string()), added: z.array(z.string()), removed: z.array(z.string()) }),
  PauseRequested: z.object({}),
  /** SIGSTOP went to these pids (every process of the jail). */
  ContainerPaused: z.object({ pids: z.array(pid) }),
  ResumeRequested: z.object({}),
  ContainerResumed: z.object({ pids: z.array(pid) }),
  /** runj exec: what runs (env names only, as for the container's process) and how. */
  ExecRequested: z.object({ exec: z.string(), args: z.array(z.string()).min(1), envNames: z.array(z.string()), cwd: absolutePath, uid: z.number().int().nonnegative(), gid: z.number().int().nonnegative(), terminal: z.boolean(), detach: z.boolean() }),
  ExecStarted: z.object({ exec: z.string(), pid }),
  /** `status` is the exit code, or 128 + the signal number when a signal ended it. */
  ExecExited: z.object({ exec: z.string(), pid, status: z.number().int() }),
} as const satisfies Record<EventType, z.ZodType>

export type { EventType }
export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>

/** A domain event before the store stamps it with seq, time, actor and hashes. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType]

/** Whether `data` is valid for `type` (used by --verify; commands trust what runj itself validated). */
export const isValidEventData = (type: EventType, data: unknown): boolean => eventDataSchemas[type].safeParse(data).success
