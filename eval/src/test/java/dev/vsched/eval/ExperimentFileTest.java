package dev.vsched.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentFileTest {

    /** The repository's file, from the module directory (Maven) or the repository root. */
    static Path repoFile() {
        for (Path p : List.of(Path.of("experiments.conf"), Path.of("eval/experiments.conf"),
                Path.of("/work/wt-evaljava/eval/experiments.conf"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("eval/experiments.conf not found from " + Path.of("").toAbsolutePath());
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> new ExperimentFile().read("my.conf", text))
                .getMessage();
    }

    private static final String LAYOUT = "[layout two]\nvcpus = 2\nhost = v0=0; v1=1\n\n";

    @Test
    void todaysThreeExperimentsAreThereUnchanged() throws IOException {
        ExperimentFile f = new ExperimentFile().read(repoFile());
        Experiment u = f.experiment("unshaped-cpu");
        assertEquals(2, u.vcpus());
        assertNull(u.layout().host(), "floating: no host layout");
        assertEquals(List.of("cpu"), u.workloads());
        assertEquals(2, u.threads());
        Experiment t = f.experiment("throttled-cpu");
        assertEquals(4, t.vcpus());
        assertEquals("v0=0@50; v1=0@25; v2=1@20; v3=1; rest=0", t.layout().host());
        assertEquals(2, t.threads());
        Experiment s = f.experiment("stacked-mixed");
        assertEquals("v0=0; v1=0@30; v2=1; v3=1; rest=0", s.layout().host());
        assertEquals(List.of("mixed"), s.workloads());
        assertEquals(3, s.threads());
        // the old timeout with two arms: 300 + rounds * (2 * seconds + 300 + settle)
        assertEquals(Duration.ofSeconds(300 + 3 * (2 * 20 + 300 + 60)), s.timeout(3, 20, 60, 2, 1));
        assertEquals(Map.of("workload", "mixed", "threads", "3", "rounds", "3", "seconds", "20", "sched", "agent",
                "settle", "0"), s.params(3, 20, "agent", 0));
    }

    @Test
    void theNewLayoutsAreThere() throws IOException {
        ExperimentFile f = new ExperimentFile().read(repoFile());
        Experiment.Layout three = f.layouts().get("stacked3");
        assertEquals(3, three.vcpus());
        assertEquals(List.of(), three.hostLayout().stackedGroups().stream().filter(g -> g.cardinality() != 3).toList());
        assertEquals(1, three.hostLayout().stackedGroups().size(), "all three vCPUs on one host CPU");
        Experiment.Layout over = f.layouts().get("overcommit");
        assertEquals(4, over.vcpus());
        assertNull(over.host(), "floating");
        assertTrue(f.experiments().stream().filter(Experiment::quick).count() >= 3);
    }

    @Test
    void aUserFileAddsAnExperimentOnTheRepositorysLayouts() throws IOException {
        ExperimentFile f = new ExperimentFile().read(repoFile()).read("mine.conf", """
                [experiment mine]
                what = sysbench on the throttled layout, one thread
                layout = throttled
                workload = cpu
                threads = 1
                timeout = 900
                param.loader_args = -P 0
                """);
        Experiment e = f.experiment("mine");
        assertEquals(Duration.ofSeconds(900), e.timeout(3, 20, 0, 4, 1));
        Experiment two = new ExperimentFile().read(repoFile()).read("w.conf", "[experiment w]\nwhat = x\n"
                + "layout = unshaped\nworkload = hackbench, rrbench\n").experiment("w");
        assertEquals(List.of("hackbench", "rrbench"), two.workloads());
        assertEquals("hackbench,rrbench", two.params(1, 5, "loader", 0).get("workload"));
        assertEquals(Duration.ofSeconds(300 + 2 * 2 * (3 * (5 + 150) + 0)), two.timeout(2, 5, 0, 3, 1));
        assertEquals("-P 0", e.params(1, 5, "loader", 0).get("loader_args"));
        assertEquals(4, e.vcpus());
        String msg = assertThrows(IllegalArgumentException.class, () -> f.experiment("nope")).getMessage();
        assertTrue(msg.contains("'nope'") && msg.contains("mine"), msg);
    }

    @Test
    void anUnknownKeyIsNamedWithFileAndLine() {
        String msg = error(LAYOUT + "[experiment e]\nwhat = x\nlayout = two\nworkload = cpu\nthreds = 2\n");
        assertEquals("my.conf:9: experiment 'e': unknown key 'threds' (known: what, layout, workload, threads,"
                + " timeout, quick, param.KEY)", msg);
        msg = error("[layout l]\nvcpus = 2\nhost = floating\npin = 0\n");
        assertTrue(msg.startsWith("my.conf:4: layout 'l': unknown key 'pin'"), msg);
    }

    @Test
    void anUnknownWorkloadOrLayoutIsNamed() {
        String msg = error(LAYOUT + "[experiment e]\nwhat = x\nlayout = two\nworkload = cpu, hackbenc\n");
        assertEquals("my.conf:8: experiment 'e': workload = 'cpu, hackbenc': unknown workload 'hackbenc' (known: cpu,"
                + " hackbench, mixed, perf-sched, rrbench, service, stress-ng-ipc)", msg);
        msg = error(LAYOUT + "[experiment e]\nwhat = x\nlayout = tow\nworkload = cpu\n");
        assertEquals("my.conf:7: experiment 'e': layout = 'tow': no such layout (declared: two)", msg);
    }

    @Test
    void aLayoutPlacingMoreVcpusThanDeclaredIsRefused() {
        String msg = error("[layout l]\nvcpus = 2\nhost = v0=0; v1=0; v2=1\n");
        assertEquals("my.conf:3: layout 'l': host = 'v0=0; v1=0; v2=1': places vCPU 2 but the layout declares"
                + " vcpus = 2 (vCPUs 0-1)", msg);
        msg = error("[layout l]\nvcpus = 2\nhost = v0=0@abc\n");
        assertTrue(msg.startsWith("my.conf:3: layout 'l': host = 'v0=0@abc': layout 'l': quota 'abc'"), msg);
        msg = error("[layout l]\nvcpus = 0\nhost = floating\n");
        assertEquals("my.conf:2: layout 'l': vcpus = '0': outside 1..64", msg);
    }

    @Test
    void otherMistakesAreNamed() {
        assertEquals("my.conf:1: 'vcpus = 2' comes before any [layout ...] or [experiment ...] section",
                error("vcpus = 2\n"));
        assertTrue(error("[layot l]\n").startsWith("my.conf:1: section '[layot l]' is not"), error("[layot l]\n"));
        assertEquals("my.conf:3: 'host floating' is not KEY = VALUE", error("[layout l]\nvcpus = 2\nhost floating\n"));
        assertEquals("my.conf:1: layout 'l' has no 'host'", error("[layout l]\nvcpus = 2\n"));
        assertEquals("my.conf:3: layout 'l': key 'vcpus' given twice", error("[layout l]\nvcpus = 2\nvcpus = 3\n"));
        assertTrue(error(LAYOUT + LAYOUT).contains("layout 'two' is already declared at my.conf:1"),
                error(LAYOUT + LAYOUT));
        String msg = error(LAYOUT + "[experiment e]\nwhat = x\nlayout = two\nworkload = cpu\nparam.rounds = 9\n");
        assertTrue(msg.startsWith("my.conf:9: experiment 'e': param.rounds = '9': a guest parameter key"), msg);
        msg = error(LAYOUT + "[experiment e]\nwhat = x\nlayout = two\nworkload = cpu\nparam.x = \"q\"\n");
        assertTrue(msg.contains("cannot go on a kernel command line"), msg);
        msg = error(LAYOUT + "[experiment e]\nwhat = x\nlayout = two\nworkload = cpu\nquick = maybe\n");
        assertEquals("my.conf:9: experiment 'e': quick = 'maybe': neither yes nor no", msg);
        msg = error(LAYOUT + "[experiment e]\nwhat = x\nlayout = two\nworkload = cpu\ntimeout = soon\n");
        assertEquals("my.conf:9: experiment 'e': timeout = 'soon': neither auto nor a number of seconds", msg);
    }
}
