package dev.kyu.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.kyu.KyuException;
import dev.kyu.codec.JsonCodec;
import dev.kyu.spi.Broker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where schedules live in the broker's key-value store, so that any process (a scheduler, the CLI, the
 * dashboard) can read them without sharing memory. Three keys per schedule, each with its own writers so
 * that no read-modify-write of one ever loses another's change:
 * <ul>
 *   <li>{@code kyu:schedule:def:NAME} — the definition, as {@link ScheduleFields} JSON (written by schedulers);</li>
 *   <li>{@code kyu:schedule:state:NAME} — the {@link ScheduleState} (written by schedulers as ticks pass);</li>
 *   <li>{@code kyu:schedule:paused:NAME} — present while paused (written by pause and resume).</li>
 * </ul>
 */
public final class ScheduleStore {
    public static final String PREFIX = "kyu:schedule:";
    static final String DEF = PREFIX + "def:", STATE = PREFIX + "state:", PAUSED = PREFIX + "paused:";
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final Broker broker;
    private final JsonCodec codec = JsonCodec.shared();

    public ScheduleStore(Broker broker) {
        this.broker = broker;
    }

    public Broker broker() {
        return broker;
    }

    // ---- definitions --------------------------------------------------------------------------------

    public void putDefinition(Schedule s) {
        broker.kvPut(DEF + s.name(), definitionJson(s));
    }

    static String definitionJson(Schedule s) {
        return JsonCodec.shared().encode(ScheduleFields.write(s));
    }

    /** Every stored definition by name, sorted; a definition that cannot be read maps to its problem. */
    public Map<String, StoredDefinition> definitions() {
        var out = new LinkedHashMap<String, StoredDefinition>();
        broker.kvList(DEF).forEach((key, json) -> {
            String name = key.substring(DEF.length());
            out.put(name, parse(name, json));
        });
        return out;
    }

    public Optional<StoredDefinition> definition(String name) {
        return broker.kvGet(DEF + name).map(json -> parse(name, json));
    }

    private StoredDefinition parse(String name, String json) {
        Map<String, Object> fields;
        try {
            fields = codec.mapper().readValue(json, MAP);
        } catch (JsonProcessingException e) {
            return new StoredDefinition(name, null, "stored definition is not valid JSON: " + JsonCodec.oneLine(e));
        }
        var problems = new ArrayList<Problem>();
        Schedule s = ScheduleFields.read(name, fields, problems, Set.of("name"));
        return new StoredDefinition(
                name, s, problems.isEmpty() ? null : problems.get(0).line());
    }

    /** A definition read back from the broker: the schedule, or why it could not be read. */
    public record StoredDefinition(String name, Schedule schedule, String problem) {}

    // ---- runtime state ------------------------------------------------------------------------------

    public Optional<ScheduleState> state(String name) {
        return broker.kvGet(STATE + name).map(json -> {
            try {
                return codec.decode(json, ScheduleState.class);
            } catch (KyuException.InvalidInput e) {
                return null; // an unreadable state is treated as none: the schedule starts afresh from now
            }
        });
    }

    public void putState(String name, ScheduleState state) {
        broker.kvPut(STATE + name, codec.encode(state));
    }

    /**
     * Writes the state unless another scheduler already recorded a later horizon, so that a scheduler that
     * was stalled does not move a schedule back in time. (Were it to, the unique keys would still keep the
     * re-planned ticks from running twice; this only saves that work.)
     */
    public void advance(String name, ScheduleState state) {
        Optional<ScheduleState> current = state(name);
        if (current.isPresent()
                && current.get().horizon() != null
                && !state.horizon().isAfter(current.get().horizon())) return;
        putState(name, state);
    }

    // ---- paused -------------------------------------------------------------------------------------

    public boolean isPaused(String name) {
        return broker.kvGet(PAUSED + name).isPresent();
    }

    public Set<String> pausedNames() {
        var out = new TreeSet<String>();
        broker.kvList(PAUSED).keySet().forEach(k -> out.add(k.substring(PAUSED.length())));
        return out;
    }

    public void setPaused(String name, boolean paused, Instant at) {
        if (paused) broker.kvPut(PAUSED + name, codec.encode(Map.of("pausedAt", at.toString())));
        else broker.kvDelete(PAUSED + name);
    }

    /** Forgets a schedule: definition, state and pause. A scheduler that still runs it writes it back. */
    public void delete(String name) {
        broker.kvDelete(DEF + name);
        broker.kvDelete(STATE + name);
        broker.kvDelete(PAUSED + name);
    }

    List<String> names() {
        return new ArrayList<>(definitions().keySet());
    }
}
