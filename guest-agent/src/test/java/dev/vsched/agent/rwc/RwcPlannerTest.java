package dev.vsched.agent.rwc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RwcPlannerTest {
    static List<RwcPlanner.Vcpu> caps(int... capacity) {
        List<RwcPlanner.Vcpu> out = new java.util.ArrayList<>();
        for (int i = 0; i < capacity.length; i++) {
            out.add(new RwcPlanner.Vcpu(i, capacity[i] >= 0, Math.max(0, capacity[i])));
        }
        return out;
    }

    @Test
    void aStragglerIsHiddenOnlyAfterTheHysteresisAndComesBackTheSameWay() {
        RwcPlanner p = new RwcPlanner(0.2, true, 3, 1);
        assertEquals("0-3", p.plan(caps(1000, 1000, 100, 1000), List.of()).usableList());
        assertEquals("0-3", p.plan(caps(1000, 1000, 100, 1000), List.of()).usableList());
        UsablePlan third = p.plan(caps(1000, 1000, 100, 1000), List.of());
        assertEquals("0-1,3", third.usableList());
        assertEquals(UsablePlan.Reason.STRAGGLER, third.hidden().get(2).reason(), third.hidden().toString());
        assertEquals("straggler: capacity 100 of the best 1000", third.hidden().get(2).why());
        // One good round does not bring it back; three do.
        assertEquals("0-1,3", p.plan(caps(1000, 1000, 900, 1000), List.of()).usableList());
        assertEquals("0-1,3", p.plan(caps(1000, 1000, 100, 1000), List.of()).usableList());
        p.plan(caps(1000, 1000, 900, 1000), List.of());
        p.plan(caps(1000, 1000, 900, 1000), List.of());
        assertEquals("0-3", p.plan(caps(1000, 1000, 900, 1000), List.of()).usableList());
    }

    @Test
    void oneVcpuOfEachStackedGroupStaysTheMostCapableAndItStaysPut() {
        RwcPlanner p = new RwcPlanner(0.2, true, 3, 1);
        UsablePlan plan = p.plan(caps(1000, 1000, 400, 500), List.of(Set.of(2, 3)));
        assertEquals("0-1,3", plan.usableList());
        assertEquals(UsablePlan.Reason.STACKED, plan.hidden().get(2).reason());
        assertEquals("stacked with vCPU 3", plan.hidden().get(2).why());
        // vCPU 2 edges ahead: the kept vCPU does not flip.
        assertEquals("0-1,3", p.plan(caps(1000, 1000, 520, 500), List.of(Set.of(2, 3))).usableList());
    }

    @Test
    void neverFewerThanMinUsable() {
        RwcPlanner p = new RwcPlanner(1.0, true, 1, 2);
        UsablePlan plan = p.plan(caps(1000, 990, 980, 970), List.of(Set.of(0, 1)));
        assertEquals(2, plan.usable().cardinality(), plan.toString());
        assertTrue(plan.usable().get(0) && plan.usable().get(1) || plan.usable().get(0) && plan.usable().get(2),
                plan.toString());
    }

    @Test
    void offlineVcpusAreNeitherUsableNorHidden() {
        RwcPlanner p = new RwcPlanner(0.2, true, 1, 1);
        UsablePlan plan = p.plan(caps(1000, -1, 1000), List.of(Set.of(1, 2)));
        assertEquals("0,2", plan.usableList());
        assertEquals(Set.of(1), plan.offline().keySet());
        assertTrue(plan.hidden().isEmpty(), "a stacked group with one live member hides nothing");
    }

    @Test
    void nonsenseParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RwcPlanner(1.5, true, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RwcPlanner(0.2, true, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RwcPlanner(0.2, true, 1, 0));
    }
}
