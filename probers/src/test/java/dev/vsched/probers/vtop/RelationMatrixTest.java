package dev.vsched.probers.vtop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RelationMatrixTest {
    @Test
    void differentLevelsGiveTheFartherOne() {
        RelationMatrix m = new RelationMatrix(List.of(0, 1, 2));
        m.set(0, 1, Relation.SMT);
        m.set(1, 2, Relation.CROSS_SOCKET);
        assertEquals(1, m.infer());
        assertEquals(Relation.CROSS_SOCKET, m.get(0, 2));
        assertTrue(m.inferred(0, 2));
    }

    @Test
    void stackedIsTransitive() {
        RelationMatrix m = new RelationMatrix(List.of(4, 5, 6));
        m.set(4, 5, Relation.STACKED);
        m.set(5, 6, Relation.STACKED);
        m.infer();
        assertEquals(Relation.STACKED, m.get(4, 6));
    }

    @Test
    void equalHigherLevelsInferNothing() {
        RelationMatrix m = new RelationMatrix(List.of(0, 1, 2));
        m.set(0, 1, Relation.SAME_SOCKET);
        m.set(1, 2, Relation.SAME_SOCKET);
        assertEquals(0, m.infer());
        assertEquals(Relation.UNKNOWN, m.get(0, 2));
    }
}
