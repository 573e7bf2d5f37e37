package org.masquerelay.interop.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The class-histogram diff behind "heap per idle tunnel by class": parsing jcmd's format and growth per item. */
class HeapHistogramTest {
    private static final String BEFORE = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000          80000  [B (java.base@25.0.3)
               2:           500          12000  java.lang.String (java.base@25.0.3)
               3:            10           1600  java.util.WeakHashMap (java.base@25.0.3)
            Total          1510          93600
            """;
    private static final String AFTER = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:           100       41190000  jdk.internal.vm.StackChunk (java.base@25.0.3)
               2:          1900         116000  [B (java.base@25.0.3)
               3:           500          12000  java.lang.String (java.base@25.0.3)
               4:            30           4800  java.util.WeakHashMap (java.base@25.0.3)
            Total          2530       41322800
            """;

    @Test
    void growthPerItemLargestFirstWithoutUnchangedClasses() {
        List<HeapHistogram.Entry> grown = HeapHistogram.growth(HeapHistogram.parse(BEFORE), HeapHistogram.parse(AFTER), 100, 10);
        assertEquals(List.of(
                new HeapHistogram.Entry("jdk.internal.vm.StackChunk", 1, 411_900),
                new HeapHistogram.Entry("[B", 9, 360),
                new HeapHistogram.Entry("java.util.WeakHashMap", 0, 32)), grown);
    }

    @Test
    void parsesJcmdLinesOnly() {
        Map<String, HeapHistogram.Entry> byClass = HeapHistogram.parse(BEFORE);
        assertEquals(3, byClass.size());
        assertEquals(new HeapHistogram.Entry("java.lang.String", 500, 12000), byClass.get("java.lang.String"));
    }
}
