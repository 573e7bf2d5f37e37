package org.masquerelay.interop.matrix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.interop.variants.FaultyRelay;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A relay whose SETTINGS repeat an id is refused at SETTINGS (Apple's 53), never reported as a TLS failure. The
 * relay's control stream can arrive inside the handshake; our Kwik client used to read it then, closed the connection
 * on the duplicate before {@code connect()} returned, and Kwik reported a bare "Handshake error" (about one interop run
 * in ten). The probe runs forty times, four at a time, as
 * the race happens under load.
 */
class DuplicateSettingRaceTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void duplicatedSettingsAreASettingsFailureEveryTime(@TempDir Path dir) throws Exception {
        try (InteropEnv env = new InteropEnv(dir);
             var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            // Four probes at a time: the handshake then takes longer on a busy machine, which is when it happened.
            List<java.util.concurrent.Future<VariantRunner.VariantResult>> runs = new java.util.ArrayList<>();
            for (int round = 0; round < 40; round++) {
                Path logs = dir.resolve("logs-" + round);
                runs.add(pool.submit(() -> VariantRunner.run(env, List.of(FaultyRelay.DUPLICATE_SETTING), logs, r -> { }).get(0)));
            }
            for (int round = 0; round < runs.size(); round++) {
                VariantRunner.VariantResult r = runs.get(round).get();
                assertEquals(FaultyRelay.DUPLICATE_SETTING.expected, r.probe().reported().kind(),
                        "round " + round + ": " + r.probe().reported() + "\n" + String.join("\n", r.probe().log()));
            }
        }
    }
}
