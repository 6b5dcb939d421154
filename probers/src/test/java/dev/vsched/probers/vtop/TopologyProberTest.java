package dev.vsched.probers.vtop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopologyProberTest {
    /** The vACT inactivity threshold these tests pretend was measured. */
    static final long STACKED_NS = 50_000;

    static VtopResult probe(SyntheticVm vm) {
        return new TopologyProber(vm, STACKED_NS).probe(vm.cpus(), null);
    }

    static void assertMatchesTruth(SyntheticVm vm, VtopResult r) {
        for (int a = 0; a < vm.n; a++) {
            for (int b = a + 1; b < vm.n; b++) {
                assertEquals(vm.truth[a][b], r.relation(a, b), "pair " + a + "-" + b);
            }
        }
    }

    @Test
    void flatVmIsOneSocketWithNoFalseLevels() {
        SyntheticVm vm = new SyntheticVm(4).noise(0.2);
        VtopResult r = probe(vm);
        assertMatchesTruth(vm, r);
        assertEquals(0, r.thresholds().smtNs());
        assertEquals(0, r.thresholds().sameSocketNs());
        assertEquals("machine", r.root().level());
        assertEquals("same_socket", r.root().children().getFirst().level());
    }

    @Test
    void smtPairsAreFoundWithinASocket() {
        SyntheticVm vm = new SyntheticVm(4).smtPairs().noise(0.2);
        VtopResult r = probe(vm);
        assertMatchesTruth(vm, r);
        assertTrue(r.thresholds().smtNs() > 15 * 1.2 && r.thresholds().smtNs() < 60 * 0.8);
    }

    @Test
    void twoSocketsWithoutSmtAreSocketAndCrossNotSmt() {
        SyntheticVm vm = new SyntheticVm(8).sockets(4).noise(0.2);
        VtopResult r = probe(vm);
        assertMatchesTruth(vm, r);
        VtopResult.Group root = r.root();
        assertEquals(2, root.children().size());
        assertEquals(List.of(0, 1, 2, 3), root.children().get(0).cpus());
        assertEquals("same_socket", root.children().get(0).level());
    }

    @Test
    void threeLevelsOnTwoSocketsWithSmt() {
        SyntheticVm vm = new SyntheticVm(8).sockets(4).smtPairs().noise(0.15);
        VtopResult r = probe(vm);
        assertMatchesTruth(vm, r);
        assertTrue(r.thresholds().smtNs() > 0 && r.thresholds().sameSocketNs() > r.thresholds().smtNs());
    }

    @Test
    void stackedGroupsSlowOrStalledAreStacked() {
        SyntheticVm slow = new SyntheticVm(4).group(Relation.STACKED, 2, 3).noise(0.2);
        VtopResult r = probe(slow);
        assertMatchesTruth(slow, r);
        VtopResult.Group stacked = r.root().children().getFirst().children().get(2);
        assertEquals("stacked", stacked.level());
        assertEquals(List.of(2, 3), stacked.cpus());

        SyntheticVm stalled = new SyntheticVm(4).group(Relation.STACKED, 1, 2, 3);
        stalled.stackedNs = Double.NaN;
        assertMatchesTruth(stalled, probe(stalled));
    }

    @Test
    void slowButBelowTheInactivityThresholdIsNotStacked() {
        SyntheticVm vm = new SyntheticVm(2);
        vm.socketNs = STACKED_NS * 0.9;
        assertEquals(Relation.SAME_SOCKET, probe(vm).relation(0, 1));
    }

    @Test
    void inferenceSavesProbesOnALargeHierarchicalVm() {
        SyntheticVm vm = new SyntheticVm(16).sockets(8).smtPairs().noise(0.1);
        VtopResult r = probe(vm);
        assertMatchesTruth(vm, r);
        int allPairs = 16 * 15 / 2;
        assertTrue(vm.probes < allPairs, "probed " + vm.probes + " of " + allPairs + " pairs");
        assertTrue(r.pairs().stream().anyMatch(VtopResult.PairResult::inferred));
    }

    @Test
    void roundsProbeOnlyDisjointPairs() {
        SyntheticVm vm = new SyntheticVm(6).noise(0.1);
        probe(vm);
        for (List<int[]> round : vm.rounds) {
            Set<Integer> seen = new HashSet<>();
            for (int[] p : round) {
                assertTrue(seen.add(p[0]) && seen.add(p[1]), "vCPU used twice in one round");
            }
        }
        assertTrue(vm.rounds.stream().anyMatch(r -> r.size() == 3), "six vCPUs allow three pairs at once");
    }

    @Test
    void aPairStarvedByAParallelNeighbourIsRecheckedAlone() {
        // 0-1 look stacked only when measured beside another pair (their host CPU is shared with 2-3's).
        SyntheticVm vm = new SyntheticVm(4) {
            @Override
            public List<PairMeasurement> probe(List<int[]> pairs) {
                List<PairMeasurement> out = new ArrayList<>(super.probe(pairs));
                if (pairs.size() > 1) {
                    out.replaceAll(m -> m.a() == 0 && m.b() == 1 ? PairMeasurement.of(0, 1, 2_000_000) : m);
                }
                return out;
            }
        };
        VtopResult r = probe(vm);
        assertEquals(Relation.SAME_SOCKET, r.relation(0, 1));
    }

    @Test
    void aPairStalledTwiceByThrottlingIsNotStackedWhenAWindowIsFast() {
        // 1-3 run on two host CPUs, but vCPU 1's quota runs out during its first two windows (CI saw the
        // parallel window and the alone re-check both stall: one round trip of 100 ms).
        SyntheticVm vm = new SyntheticVm(4).script(1, 3, n -> n < 2
                ? new PairMeasurement(1, 3, 50_000_000, 50_000_000, 1, 20_000_000L, null, -1, 0) : null);
        VtopResult r = probe(vm);
        assertEquals(3, vm.windows(1, 3), "both stalled windows and the fast one were measured");
        assertMatchesTruth(vm, r);
    }

    @Test
    void aStackedPairIsStackedInEveryWindowAndMeasuredAFixedNumberOfTimes() {
        SyntheticVm vm = new SyntheticVm(2).group(Relation.STACKED, 0, 1);
        VtopResult r = probe(vm);
        assertEquals(Relation.STACKED, r.relation(0, 1));
        assertEquals(1 + TopologyProber.MAX_RECHECKS, vm.probes, "the first window and every re-check");
    }

    @Test
    void aDisturbedRecheckDoesNotUndoACleanStackedWindow() {
        // 0-1 share a host CPU; the guest ran other work beside both re-checks (AgentCpusetIT once saw
        // a stacked pair end unknown this way, so its group went missing).
        SyntheticVm vm = new SyntheticVm(4).group(Relation.STACKED, 0, 1)
                .script(0, 1, n -> n > 0 ? disturbed(0, 1) : null);
        VtopResult r = probe(vm);
        assertEquals(1 + TopologyProber.MAX_RECHECKS, vm.windows(0, 1), "the first window and every re-check");
        assertEquals(Relation.STACKED, r.relation(0, 1));
    }

    /** A measurement the guest disturbed: slow, with a guest switch per handoff. */
    static PairMeasurement disturbed(int a, int b) {
        return new PairMeasurement(a, b, 2_000_000, 3_000_000, 10, 20_000_000L, null, -1, 20);
    }

    @Test
    void guestContentionIsRecheckedAndNeverCalledStacking() {
        // 0-1 are disturbed by guest work on the first try only; 2-3 always.
        SyntheticVm vm = new SyntheticVm(4)
                .script(0, 1, n -> n == 0 ? disturbed(0, 1) : null)
                .script(2, 3, n -> disturbed(2, 3));
        VtopResult r = probe(vm);
        assertEquals(Relation.SAME_SOCKET, r.relation(0, 1), "clean on the re-check");
        assertEquals(Relation.UNKNOWN, r.relation(2, 3), "disturbed every time: unknown, not stacked");
        assertTrue(r.mismatches().isEmpty());
    }

    @Test
    void aPongerTheGuestNeverRanIsNotStacking() {
        // On a busy VM the ponger thread may not even get to spin on its vCPU before the window: no round
        // trip and no switch counted inside a window that never began (seen in PingPongIT at load 16).
        // 0-1 is starved once, then clean; 2-3 every time.
        SyntheticVm vm = new SyntheticVm(4)
                .script(0, 1, n -> n == 0 ? PairMeasurement.starvedByGuest(0, 1, 20_000_000L) : null)
                .script(2, 3, n -> PairMeasurement.starvedByGuest(2, 3, 20_000_000L));
        VtopResult r = probe(vm);
        assertEquals(Relation.SAME_SOCKET, r.relation(0, 1), "clean on the re-check");
        assertEquals(Relation.UNKNOWN, r.relation(2, 3), "starved every time: unknown, not stacked");
        assertEquals(1 + TopologyProber.MAX_RECHECKS, vm.windows(2, 3), "re-checked like guest contention");
    }

    @Test
    void anOfflineVcpuIsReportedAndTheRestCompletes() {
        SyntheticVm vm = new SyntheticVm(4) {
            @Override
            PairMeasurement measure(int a, int b) {
                if (a == 3 || b == 3) {
                    return PairMeasurement.failed(a, b, 3, "vCPU 3: sched_setaffinity failed: EINVAL");
                }
                return super.measure(a, b);
            }
        };
        VtopResult r = probe(vm);
        assertEquals(1, r.unavailable().size());
        assertEquals(3, r.unavailable().getFirst().cpu());
        assertEquals(3, r.pairs().size(), "pairs among 0, 1, 2 only");
        assertEquals(Relation.SAME_SOCKET, r.relation(0, 2));
    }

    @Test
    void mismatchesWithTheGuestViewAreListed() throws Exception {
        SyntheticVm vm = new SyntheticVm(4).group(Relation.STACKED, 2, 3);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sysfs");
        dev.vsched.probers.proc.GuestTopology guest = dev.vsched.probers.proc.GuestTopology.read(
                dev.vsched.probers.proc.GuestTopologyTest.tree(dir, "0-3", new int[] {0, 0, 0, 0},
                        new int[] {0, 0, 1, 1}, new String[] {"0-1", "0-1", "2-3", "2-3"}));
        VtopResult r = new TopologyProber(vm, STACKED_NS).probe(vm.cpus(), guest);
        // Guest believes 0-1 and 2-3 are SMT pairs; probing says 0-1 same socket, 2-3 stacked.
        assertEquals(2, r.mismatches().size());
        assertEquals(Relation.SMT, r.mismatches().get(0).guest());
        assertEquals(Relation.STACKED, r.mismatches().get(1).probed());
    }

    @Test
    void revalidationReusesAnUnchangedTopologyWithFewProbes() {
        SyntheticVm vm = new SyntheticVm(8).sockets(4).smtPairs().noise(0.1);
        VtopResult first = probe(vm);
        int before = vm.probes;
        VtopResult again = new TopologyProber(vm, STACKED_NS).revalidate(first, vm.cpus(), null);
        assertEquals("revalidated", again.mode());
        int rechecks = vm.probes - before;
        assertTrue(rechecks > 0 && rechecks < before, rechecks + " re-checks vs " + before + " probes");
        assertMatchesTruth(vm, again);
    }

    @Test
    void revalidationFallsBackToAFullProbeWhenSomethingMoved() {
        SyntheticVm vm = new SyntheticVm(4).smtPairs();
        VtopResult first = probe(vm);
        vm.group(Relation.STACKED, 0, 1);
        VtopResult again = new TopologyProber(vm, STACKED_NS).revalidate(first, vm.cpus(), null);
        assertEquals("full", again.mode());
        assertEquals(Relation.STACKED, again.relation(0, 1));
        assertFalse(again.relation(2, 3) == Relation.STACKED);
    }
}
