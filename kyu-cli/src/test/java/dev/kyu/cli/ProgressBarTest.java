package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void withoutATerminalItPrintsALineEveryTenth() {
        var sw = new StringWriter();
        var bar = new ProgressBar(new PrintWriter(sw), "work", 1000, false);
        for (int i = 0; i < 1000; i++) bar.step(1);
        bar.finish();
        var lines = sw.toString().lines().toList();
        assertThat(lines).hasSize(11);
        assertThat(lines.get(0)).isEqualTo("work: 1/1000 (0%)");
        assertThat(lines).contains("work: 500/1000 (50%)", "work: 1000/1000 (100%)");
        assertThat(sw.toString()).doesNotContain("\r");
    }

    @Test
    void onATerminalItRedrawsInPlace() {
        var sw = new StringWriter();
        var bar = new ProgressBar(new PrintWriter(sw), "work", 4, true);
        bar.set(4);
        bar.finish();
        assertThat(sw.toString()).startsWith("\rwork [").contains("4/4 100%").endsWith("\n");
    }

    @Test
    void finishDoesNotRepeatTheLastLine() {
        var sw = new StringWriter();
        var bar = new ProgressBar(new PrintWriter(sw), "work", 10, false);
        bar.set(3);
        bar.finish();
        assertThat(sw.toString().lines().toList()).containsExactly("work: 3/10 (30%)");
    }
}
