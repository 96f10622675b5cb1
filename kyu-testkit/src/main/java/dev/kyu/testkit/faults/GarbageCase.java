package dev.kyu.testkit.faults;

/**
 * One piece of garbage written behind Kyu's back: {@code name} says where and what (e.g.
 * {@code "jobs.attempt=huge"}); {@link #plant()} writes it and returns the id of the job it wrote, or null
 * when it wrote no job (a foreign entry in another key or table). A write the storage itself refuses (a
 * NOT NULL column, a wrong-typed key command) throws: the case is then counted as refused by the storage.
 */
public record GarbageCase(String name, Planter planter) {
    @FunctionalInterface
    public interface Planter {
        String plant() throws Exception;
    }

    public String plant() throws Exception {
        return planter.plant();
    }

    public static GarbageCase of(String name, Planter planter) {
        return new GarbageCase(name, planter);
    }
}
