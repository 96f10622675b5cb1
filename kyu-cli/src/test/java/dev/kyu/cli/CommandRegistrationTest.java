package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kyu.cli.commands.EnqueueCommand;
import dev.kyu.cli.commands.InspectCommand;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A run registers only the command it names (start time); every other run sees them all. */
class CommandRegistrationTest {

    @Test
    void everyCommandIsRegisteredUnderItsOwnName() {
        KyuCli.COMMANDS.forEach((name, type) ->
                assertThat(new CommandLine(type).getCommandName()).isEqualTo(name));
    }

    @Test
    void aRunThatNamesItsCommandGetsThatOneOnly() {
        assertThat(KyuCli.commandsFor(new String[] {"enqueue", "kyu.noop"})).containsExactly(EnqueueCommand.class);
        assertThat(KyuCli.commandsFor(new String[] {"--broker", "inspect", "enqueue", "x"}))
                .containsExactly(EnqueueCommand.class);
        assertThat(KyuCli.commandsFor(new String[] {"--broker=sqlite:a.db", "--verbose", "inspect", "queues"}))
                .containsExactly(InspectCommand.class);
        for (var all : List.of(
                new String[] {},
                new String[] {"--version"},
                new String[] {"help", "enqueue"},
                new String[] {"enqeue", "x"},
                new String[] {"--", "enqueue"})) {
            assertThat(KyuCli.commandsFor(all))
                    .as(String.join(" ", all))
                    .containsExactlyElementsOf(KyuCli.COMMANDS.values());
        }
    }

    @Test
    void helpAndAMisspeltCommandStillListEveryCommand() {
        var help = CliRunner.runRaw("--help");
        assertThat(help.exitCode()).isZero();
        KyuCli.COMMANDS.keySet().forEach(name -> assertThat(help.out()).contains(name));
        var misspelt = CliRunner.runRaw("enqeue", "kyu.noop");
        assertThat(misspelt.exitCode()).isEqualTo(2);
        assertThat(misspelt.err()).contains("enqueue");
        var helpFor = CliRunner.runRaw("help", "enqueue");
        assertThat(helpFor.exitCode()).isZero();
        assertThat(helpFor.out()).contains("--stdin");
    }
}
