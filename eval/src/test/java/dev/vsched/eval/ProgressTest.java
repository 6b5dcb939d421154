package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private static final String CONSOLE = """
            vsched-init: start
            vsched-init: running /tests/sched-compare.sh
            sched-compare: round 1 arm default start
            [   41.203311] sched_ext: BPF scheduler "vsched" enabled
            sched-compare: round 1 arm vsched start
            \u001b[2Jsched-compare: round 1 arm scx_simple start
            sched-compare: round 2 arm vsched start
            """;

    @Test
    void readsRunStartsFromTheConsole() {
        List<Progress.Start> s = Progress.starts(CONSOLE);
        assertEquals(List.of(new Progress.Start(1, "default"), new Progress.Start(1, "vsched"),
                new Progress.Start(1, "scx_simple"), new Progress.Start(2, "vsched")), s);
        assertEquals(List.of(), Progress.starts("vsched-init: start\nsched-compare: round x arm y start\n"));
    }

    @Test
    void timeLeftIsTheRunsToGoAtThePaceSoFar() {
        List<Progress.Start> s = Progress.starts(CONSOLE);
        // 3 runs took 90 s: 30 s each; 9 runs, 3 done, 6 to go (counting the one running): 3 min
        assertEquals("compare: stacked-mixed round 2/3 arm vsched (run 4/9), about 3 min left in this experiment",
                Progress.line("stacked-mixed", s, 3, 9, Duration.ofSeconds(90), Duration.ofSeconds(60)));
        // before a run has finished: the plan
        assertEquals("compare: x round 1/3 arm default (run 1/6), about 6 min left in this experiment",
                Progress.line("x", s.subList(0, 1), 3, 6, Duration.ZERO, Duration.ofSeconds(60)));
        assertNull(Progress.line("x", List.of(), 3, 6, Duration.ZERO, Duration.ofSeconds(60)));
        assertEquals("45 s", Progress.human(Duration.ofSeconds(45)));
    }
}
