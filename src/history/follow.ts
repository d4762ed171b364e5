// history --follow: an rxjs Observable of the records other runj processes append to a live log. It polls the file
// (fs.watch is not reliable across platforms for appends by other processes), emits each record once, in order, and
// completes after the record that seals the stream (ContainerDeleted) or when `stop` emits (SIGINT).
import { concatMap, exhaustMap, finalize, from, takeUntil, takeWhile, timer, type Observable } from 'rxjs'
import type { DecodeOptions } from '../store/decode.js'
import { StreamTail, type RecordLine } from '../store/stream-reader.js'

export function followStream(path: string, options: DecodeOptions, stop: Observable<unknown>, intervalMs = 100): Observable<RecordLine> {
  const tail = new StreamTail(path, options)
  return timer(0, intervalMs).pipe(
    // exhaustMap: one read at a time (ticks during a slow read are dropped), so records come out in file order.
    exhaustMap(() => from(tail.read())),
    concatMap((records) => from(records)),
    takeWhile((entry) => entry.record.type !== 'ContainerDeleted', true),
    takeUntil(stop),
    finalize(() => void tail.close()),
  )
}
