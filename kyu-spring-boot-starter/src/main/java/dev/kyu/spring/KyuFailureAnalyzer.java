package dev.kyu.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns Kyu's start-up errors into Boot's "APPLICATION FAILED TO START" report, with the one-line reason first. */
public class KyuFailureAnalyzer extends AbstractFailureAnalyzer<KyuStartupException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KyuStartupException cause) {
        return new FailureAnalysis(
                "Kyu: " + cause.getMessage(),
                "Fix the kyu.* settings or the task beans named above (see docs/spring-boot.md).",
                cause);
    }
}
