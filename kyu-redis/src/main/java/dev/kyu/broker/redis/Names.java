package dev.kyu.broker.redis;

import dev.kyu.KyuException;

/** Checks queue names and job ids before they become parts of Redis keys. */
final class Names {
    private static final int MAX = 200;

    private Names() {}

    static void checkQueue(String queue) {
        if (queue == null
                || queue.isEmpty()
                || queue.length() > MAX
                || queue.chars().anyMatch(Character::isISOControl)) {
            throw new KyuException.InvalidInput(
                    "bad queue name '" + (queue == null ? "null" : RedisJobCodec.abbreviate(queue))
                            + "': expected 1 to " + MAX + " printable characters");
        }
    }

    static void checkTask(String task) {
        if (task == null
                || task.isBlank()
                || task.length() > MAX
                || task.chars().anyMatch(Character::isISOControl)) {
            throw new KyuException.InvalidInput(
                    "bad task name '" + (task == null ? "null" : RedisJobCodec.abbreviate(task)) + "': expected 1 to "
                            + MAX + " printable characters, not blank");
        }
    }

    static void checkId(String id) {
        if (id == null || id.isBlank() || id.length() > MAX || id.chars().anyMatch(Character::isISOControl)) {
            throw new KyuException.InvalidInput("bad job id '" + (id == null ? "null" : RedisJobCodec.abbreviate(id))
                    + "': expected 1 to " + MAX + " printable characters");
        }
    }
}
