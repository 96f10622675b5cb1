package dev.kyu.testkit.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one run of the fault suite did and saw, printed and written to {@code target/fault-suite-ENGINE.json}.
 *
 * @param accepted        jobs whose enqueue returned
 * @param unacknowledged  jobs stored although their enqueue failed (the reply was lost to a fault)
 * @param enqueueErrors   enqueue calls that failed (a broker outage) and were tried again with new ids
 * @param faults          faults staged, by kind
 * @param garbage         garbage cases written, and those the storage itself refused to hold
 * @param planted         outcomes of the planted jobs: quarantined (FAILED, a kyu.* reason), ran (SUCCEEDED), …
 * @param plantedRan      the garbage cases whose job ran as if sound (their garbage did not stop it)
 * @param runs            executions recorded in the history (every start mark)
 * @param reruns          executions beyond the first of their job: at least once after a worker's death or freeze
 * @param refusedOutcomes late outcomes a worker reported and the broker refused (fencing), from the workers' logs
 * @param lateStartsAfterFreeze runs that started after their job's outcome, in a worker frozen across that moment
 */
public record FaultFigures(
        String engine,
        long seed,
        long millis,
        int accepted,
        int unacknowledged,
        int enqueueErrors,
        Map<String, Integer> faults,
        Map<String, Integer> garbage,
        Map<String, Integer> planted,
        List<String> plantedRan,
        int runs,
        int reruns,
        int rerunJobs,
        int refusedOutcomes,
        int lateStartsAfterFreeze) {

    public FaultFigures {
        faults = new TreeMap<>(faults);
        garbage = new TreeMap<>(garbage);
        planted = new TreeMap<>(planted);
        plantedRan = plantedRan.stream().sorted().toList();
    }

    public String line() {
        return "fault suite [" + engine + "] seed=" + seed + " in " + (millis / 1000.0) + " s: jobs accepted="
                + accepted
                + " (+" + unacknowledged + " stored though their enqueue failed, " + enqueueErrors
                + " enqueue errors), faults=" + faults + ", garbage=" + garbage
                + ", planted jobs=" + planted + " (ran: " + plantedRan + "), runs=" + runs + ", re-runs=" + reruns
                + " (of " + rerunJobs + " jobs)"
                + ", refused late outcomes=" + refusedOutcomes + ", late starts after a freeze="
                + lateStartsAfterFreeze;
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("fault-suite-" + engine + ".json").toFile(), this);
    }
}
