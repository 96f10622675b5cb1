package dev.kyu.cli;

import dev.kyu.KyuException;

/** The work a command was asked to do did not succeed (exit code 1); the message is the one line shown. */
public final class WorkFailed extends KyuException {
    public WorkFailed(String message) {
        super(message);
    }
}
