// The in-memory store passes the event-store contract.
import t from 'tap'
import { MemoryEventStore } from '../../src/store/memory-store.js'
import { eventStoreContract } from './contract.js'

eventStoreContract(t, async () => new MemoryEventStore(() => new Date('2026-12-03T18:00:00.000Z')))
