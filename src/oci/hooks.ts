// config.md "POSIX-platform Hooks": the six stages, each an ordered list (possibly empty) taken from the config.
import type { HookCall, HookStage } from '../domain/plan.js'
import type { OciConfig } from './config.js'

export const HOOK_STAGES: readonly HookStage[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']

export function hooksByStage(config: OciConfig): Record<HookStage, readonly HookCall[]> {
  const hooks = config.hooks as Partial<Record<HookStage, HookCall[]>> | undefined
  return {
    prestart: hooks?.prestart ?? [],
    createRuntime: hooks?.createRuntime ?? [],
    createContainer: hooks?.createContainer ?? [],
    startContainer: hooks?.startContainer ?? [],
    poststart: hooks?.poststart ?? [],
    poststop: hooks?.poststop ?? [],
  }
}
