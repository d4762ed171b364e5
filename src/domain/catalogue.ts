// The event catalogue's names and schema versions, kept free of zod so hot read paths load fast.

/** Current schema version of each event type; older versions are upcast on read, never rewritten. */
export const eventSchemaVersions = {
  ContainerCreateRequested: 1,
  JailCreated: 1,
  MountApplied: 1,
  LimitsApplied: 1,
  EntrypointSpawned: 1,
  ContainerCreated: 1,
  ContainerStartRequested: 1,
  ContainerStarted: 1,
  KillRequested: 1,
  SignalSent: 1,
  ProcessExited: 1,
  ContainerDeleteRequested: 1,
  JailRemoved: 1,
  MountReleased: 1,
  LimitsRemoved: 1,
  ActionFailed: 1,
  CreateRolledBack: 1,
  ContainerDeleted: 1,
  LimitsUpdateRequested: 1,
  LimitsUpdated: 1,
  PauseRequested: 1,
  ContainerPaused: 1,
  ResumeRequested: 1,
  ContainerResumed: 1,
  ExecRequested: 1,
  ExecStarted: 1,
  ExecExited: 1,
} as const

export type EventType = keyof typeof eventSchemaVersions
export const eventTypes = Object.keys(eventSchemaVersions) as EventType[]
export const isEventType = (type: string): type is EventType => Object.hasOwn(eventSchemaVersions, type)
