/**
 * Flow control: rate and concurrency limits held across every worker, per task or queue and per key,
 * enforced when a job is fetched (docs/flow-control.md).
 *
 * <p>Everything lives in the broker's key-value verbs, so every engine has it: definitions under
 * {@code kyu.flow.limit/NAME} (JSON), a rate's theoretical arrival time under {@code kyu.flow.rate/NAME/KEY},
 * a concurrency's slots under {@code kyu.flow.slots/NAME/KEY}, pauses under {@code kyu.flow.pause/NAME/KEY}.
 * Every shared change is a compare-and-set loop.
 */
package dev.kyu.flow;
