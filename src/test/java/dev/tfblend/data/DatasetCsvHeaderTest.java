package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tfblend.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CSV without a header line is refused instead of losing its first sample as the "header". */
class DatasetCsvHeaderTest {
  @TempDir Path tmp;

  private static final String MESSAGE = " line 1 looks like data, not a header; the data set format"
      + " starts with a header line 'label,x0,...' or 'x0,...'";

  @Test
  void aHeaderlessFileIsRefusedByName() throws Exception {
    Path features = Files.writeString(tmp.resolve("f.csv"), "0.5,1,2\n3,4,5\n");
    BadInputException e = assertThrows(BadInputException.class, () -> DatasetCsv.readFeatures(features));
    assertEquals(features + MESSAGE, e.getMessage());
    Path labelled = Files.writeString(tmp.resolve("l.csv"), "3,0.5,1\n1,4,5\n");
    e = assertThrows(BadInputException.class, () -> DatasetCsv.read(labelled, 10));
    assertEquals(labelled + MESSAGE, e.getMessage());
  }

  @Test
  void aHeaderWithSomeNumericNamesIsStillAHeader() throws Exception {
    Path f = Files.writeString(tmp.resolve("h.csv"), "x0,1,2\n3,4,5\n6,7,8\n");
    assertEquals(2, DatasetCsv.readFeatures(f).length);
    Path l = Files.writeString(tmp.resolve("l.csv"), "label,x0\n1,4\n");
    assertEquals(1, DatasetCsv.read(l, 10).size());
  }
}
