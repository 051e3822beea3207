package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.testing.TestResources;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCsvTest {
  @TempDir Path tmp;

  @Test
  void pythonReprFormats() {
    assertEquals("0.0", DatasetCsv.pythonRepr(0.0));
    assertEquals("-0.0", DatasetCsv.pythonRepr(-0.0));
    assertEquals("1.0", DatasetCsv.pythonRepr(1.0));
    assertEquals("0.0001", DatasetCsv.pythonRepr(1e-4));
    assertEquals("1e-05", DatasetCsv.pythonRepr(1e-5));
    assertEquals("-1.5e-07", DatasetCsv.pythonRepr(-1.5e-7));
    assertEquals("1000000000000000.0", DatasetCsv.pythonRepr(1e15));
    assertEquals("1e+16", DatasetCsv.pythonRepr(1e16));
    assertEquals("1.2345e+20", DatasetCsv.pythonRepr(1.2345e20));
    assertEquals("-0.017093907298869573", DatasetCsv.pythonRepr(-0.017093907298869573));
    assertEquals("0.1", DatasetCsv.pythonRepr(0.1));
    assertEquals("123.456", DatasetCsv.pythonRepr(123.456));
  }

  @Test
  void writeThenReadIsExact() {
    double[][] x = {{0.1, -2.5e-9, 1e300}, {Double.MIN_VALUE, -0.0, 1.0 / 3}};
    Dataset d = new Dataset(x, new int[] {3, 0}, 4);
    Path f = tmp.resolve("d.csv");
    DatasetCsv.write(d, f);
    Dataset back = DatasetCsv.read(f, 4);
    assertArrayEquals(d.y(), back.y());
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(x[i], back.x()[i], 0.0);
    }
    assertArrayEquals(x[1], DatasetCsv.readFeatures(f)[1], 0.0);
  }

  @Test
  void defaultTrainHeadIsWrittenExactlyAsTheReferenceFile() throws Exception {
    Dataset train = Mnist1d.defaultData().train();
    int[] first = new int[64];
    for (int i = 0; i < 64; i++) {
      first[i] = i;
    }
    StringWriter w = new StringWriter();
    DatasetCsv.write(train.subset(first), w);
    List<String> want = TestResources.lines("/reference/mnist1d/train_head.csv");
    assertEquals(String.join("\n", want) + "\n", w.toString());
  }

  @Test
  void readsFeaturesWithoutALabelColumn() throws Exception {
    Path f = tmp.resolve("x.csv");
    Files.writeString(f, "x0,x1\n1.5,2\n-3e-2,4\n");
    double[][] x = DatasetCsv.readFeatures(f);
    assertArrayEquals(new double[] {-0.03, 4}, x[1], 0.0);
    String msg = assertThrows(BadInputException.class, () -> DatasetCsv.read(f, 10)).getMessage();
    assertTrue(msg.contains("x.csv line 1") && msg.contains("label"), msg);
  }

  @Test
  void errorsNameFileLineAndColumn() throws Exception {
    Path f = tmp.resolve("bad.csv");
    Files.writeString(f, "label,x0,x1\n1,0.5,0.25\n2,0.5\n");
    String msg = assertThrows(BadInputException.class, () -> DatasetCsv.read(f, 10)).getMessage();
    assertTrue(msg.contains("bad.csv line 3") && msg.contains("expected 3 columns"), msg);

    Files.writeString(f, "label,x0,x1\n1,0.5,abc\n");
    msg = assertThrows(BadInputException.class, () -> DatasetCsv.read(f, 10)).getMessage();
    assertTrue(msg.contains("bad.csv line 2 column 3 ('x1'): 'abc' is not a number"), msg);

    Files.writeString(f, "label,x0\n12,0.5\n");
    msg = assertThrows(BadInputException.class, () -> DatasetCsv.read(f, 10)).getMessage();
    assertTrue(msg.contains("line 2 column 'label'"), msg);

    msg = assertThrows(BadInputException.class,
        () -> DatasetCsv.read(tmp.resolve("none.csv"), 10)).getMessage();
    assertTrue(msg.contains("none.csv: no such file"), msg);
  }
}
