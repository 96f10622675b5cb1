package dev.kyu.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import org.junit.jupiter.api.Test;

class BrokersTest {
    @Test
    void unknownSchemeIsAOneLineErrorListingTheKnownOnes() {
        assertThatThrownBy(() -> Brokers.open("mqtt://guest:secret@localhost"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageStartingWith("unknown broker URL scheme in 'mqtt://guest:***@localhost'")
                .hasMessageContaining("sqlite:PATH")
                .hasMessageNotContaining("secret");
    }

    @Test
    void knownSchemeWithoutItsModuleSaysWhichModuleToAdd() {
        // kyu-core's own tests have no engine modules on the class path.
        assertThatThrownBy(() -> Brokers.open("redis://localhost:6379"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessage("broker URL redis://localhost:6379 needs the kyu-redis module on the class path");
        assertThatThrownBy(() -> Brokers.open("amqp://guest:secret@localhost/%2F?store=sqlite%3Akyu.db"))
                .isInstanceOf(KyuException.BrokerConfig.class)
                .hasMessageStartingWith("broker URL amqp://guest:***@localhost")
                .hasMessageEndingWith("needs the kyu-rabbitmq module on the class path");
    }

    @Test
    void passwordsAreRedactedInUrlsAndQueryStrings() {
        assertThat(BrokerConfig.redact("redis://:hunter2@cache:6379/0")).isEqualTo("redis://:***@cache:6379/0");
        assertThat(BrokerConfig.redact("postgresql://kyu:pw@db/app?password=pw2&schema=kyu"))
                .isEqualTo("postgresql://kyu:***@db/app?password=***&schema=kyu");
    }

    @Test
    void memoryEngineOpensByUrl() {
        try (Broker b = Brokers.open("memory:")) {
            assertThat(b.capabilities()).contains(Capability.INJECTABLE_CLOCK);
        }
    }
}
