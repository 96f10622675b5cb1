/**
 * Flow control: rate and concurrency limits held across every worker, per task or queue and per key,
 * enforced before a job starts (docs/flow-control.md).
 *
 * <p>Everything lives in the broker's key-value verbs, so every engine has it. Every shared change is one
 * atomic step: a rate's take ({@link dev.kyu.spi.Broker#kvTakeRate}) or a compare-and-set loop.
 * <ul>
 *   <li>{@code kyu.flow.limit/NAME}: a definition (JSON, {@link dev.kyu.flow.LimitCodec});</li>
 *   <li>{@code kyu.flow.rate/NAME/KEY}: a rate's theoretical arrival time and the rule it was kept under,
 *       {@code TAT_EPOCH_NANOS,INTERVAL_NANOSxBURST};</li>
 *   <li>{@code kyu.flow.slots/NAME/KEY}: a concurrency's holders, job ids joined by commas;</li>
 *   <li>{@code kyu.flow.pause/NAME/KEY}: a pause's end (ISO instant; KEY "" pauses the whole limit);</li>
 *   <li>{@code kyu.flow.booking/JOBID/NAME}: a held-back job's slot, {@code SLOT_EPOCH_NANOS,TRIES,RULE}.</li>
 * </ul>
 * KEY is "" for a limit without a key.
 */
package dev.kyu.flow;
