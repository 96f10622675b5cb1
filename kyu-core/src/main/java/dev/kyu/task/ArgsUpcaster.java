package dev.kyu.task;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One step of a task's argument history: turns the JSON args of version n into those of version n + 1
 * ({@link TaskOptions#withUpcaster}). It sees and returns plain JSON (it may change the node it is given),
 * so old argument classes need not be kept. A step that throws fails the job for good, with its message.
 */
@FunctionalInterface
public interface ArgsUpcaster {
    JsonNode upcast(JsonNode args) throws Exception;
}
