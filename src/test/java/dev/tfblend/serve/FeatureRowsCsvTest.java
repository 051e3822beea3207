package dev.tfblend.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tfblend.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line 1 of a gate CSV is a header only when none of its cells is a number. */
class FeatureRowsCsvTest {
  @TempDir Path tmp;

  @Test
  void aFirstDataRowWithATypoIsAnErrorNamingLineOneAndTheCell() throws Exception {
    Path csv = Files.writeString(tmp.resolve("typo.csv"), "1,2,9x\n4,5,6\n");
    BadInputException e = assertThrows(BadInputException.class, () -> FeatureRows.read(csv, 3));
    assertEquals(csv + " line 1 column 3: '9x' is not a number", e.getMessage());
  }

  @Test
  void aHeaderOfNamesIsSkippedAndANumericFirstLineIsData() throws Exception {
    Path header = Files.writeString(tmp.resolve("h.csv"), "a,b,c\n1,2,3\n");
    assertArrayEquals(new float[][] {{1f, 2f, 3f}}, FeatureRows.read(header, 3));
    Path data = Files.writeString(tmp.resolve("d.csv"), "1,2,3\n4,5,6\n");
    assertArrayEquals(new float[][] {{1f, 2f, 3f}, {4f, 5f, 6f}}, FeatureRows.read(data, 3));
  }
}
