package dev.mlpack.optimizer.data;

import static dev.mlpack.optimizer.data.Errors.badInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlpack.optimizer.data.Dataset.Kind;
import dev.mlpack.optimizer.data.Dataset.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DATA, as {@code --calibration} and {@code evaluate} read it: a folder of class subfolders, a CSV of
 * {@code path,label} rows, or a flat folder of unlabeled images.
 */
class DatasetTest {
    @TempDir Path tmp;

    private static final int RED = 0xFF0000;

    /** Class folders {@code name -> count} of tiny PNGs named 0.png, 1.png, ... */
    private Path classTree(Object... nameCount) {
        Path root = tmp.resolve("data");
        for (int i = 0; i < nameCount.length; i += 2) {
            for (int j = 0; j < (Integer) nameCount[i + 1]; j++) {
                TestImages.rgb(root.resolve((String) nameCount[i]).resolve(j + ".png"), RED);
            }
        }
        return root;
    }

    private Path write(String name, String content) {
        return TestImages.text(tmp.resolve(name), content);
    }

    private static List<String> names(Dataset d) {
        return d.samples().stream().map(s -> s.file().getParent().getFileName() + "/" + s.file().getFileName()).toList();
    }

    private static Path repo() {
        return Path.of(System.getProperty("mlpack.repo", "..")).toAbsolutePath().normalize();
    }

    @Nested
    class ClassFolders {
        @Test
        void folderNamesAreLabelsMappedInSortedOrderWithoutLabelsFile() {
            Dataset d = Dataset.open(classTree("dog", 2, "cat", 1, "bird", 1), null);

            assertEquals(Kind.CLASS_FOLDERS, d.kind());
            assertTrue(d.labeled());
            assertEquals(List.of("bird", "cat", "dog"), d.classNames());
            assertEquals(List.of("bird/0.png", "cat/0.png", "dog/0.png", "dog/1.png"), names(d), "sorted listing");
            assertEquals(List.of(0, 1, 2, 2), d.samples().stream().map(Sample::label).toList());
            assertEquals("dog", d.samples().get(3).labelName());
            assertEquals("4 images in 3 classes", d.summary());
        }

        @Test
        void labelsFileGivesTheOutputIndexOfEachFolder() {
            Path labels = write("labels.txt", "dog\ncat\nbird\nfish\n\n");
            Dataset d = Dataset.open(classTree("dog", 1, "cat", 1, "bird", 1), Dataset.readLabels(labels));

            assertEquals(List.of("dog", "cat", "bird", "fish"), d.classNames(), "all of --labels, even classes without images");
            assertEquals(List.of(2, 1, 0), d.samples().stream().map(Sample::label).toList());
            assertEquals(List.of("bird", "cat", "dog"), d.samples().stream().map(Sample::labelName).toList());
        }

        @Test
        void bundledFashionMnistSampleWithAndWithoutLabelsFile() {
            Path images = repo().resolve("samples/images");
            List<String> labels = Dataset.readLabels(repo().resolve("samples/labels.txt"));

            Dataset sorted = Dataset.open(images, null);
            Dataset mapped = Dataset.open(images, labels);

            assertEquals(300, mapped.size());
            assertEquals(10, mapped.classNames().size());
            assertEquals("T-shirt_top", mapped.classNames().get(0));
            Sample boot = mapped.samples().getFirst();
            assertEquals("Ankle_boot", boot.labelName());
            assertEquals(9, boot.label(), "index from labels.txt");
            assertEquals(0, sorted.samples().getFirst().label(), "first in sorted order");
        }

        @Test
        void folderNamesMissingFromLabelsFileAreNamed() {
            Path labels = write("labels.txt", "cat\ndog\n");
            Path data = classTree("cat", 1, "Foo", 1, "Bar", 1);

            String message = badInput(() -> Dataset.open(data, Dataset.readLabels(labels), "DATA", "labels.txt"));

            assertTrue(message.startsWith("label names do not match --labels: e.g. 'Bar', 'Foo' are not in labels.txt"), message);
        }

        @Test
        void hiddenAndNonImageFilesAreSkippedNestedImagesAndUpperCaseExtensionsFound() throws IOException {
            Path data = classTree("cat", 1);
            TestImages.rgb(data.resolve("cat/.hidden.png"), RED);
            TestImages.rgb(data.resolve("cat/.thumbs/a.png"), RED);
            TestImages.rgb(data.resolve("cat/more/b.JPEG"), RED);
            TestImages.text(data.resolve("cat/notes.txt"), "x");
            TestImages.text(data.resolve("cat/meta.json"), "{}");
            TestImages.rgb(data.resolve(".ipynb_checkpoints/c.png"), RED);
            Files.createDirectories(data.resolve("empty"));

            Dataset d = Dataset.open(data, null);

            assertEquals(List.of("cat/0.png", "more/b.JPEG"), names(d));
            assertEquals(List.of("cat", "empty"), d.classNames(), "an empty class folder still takes its sorted index, as in Keras");
            assertEquals(2, d.skippedFiles());
        }

        @Test
        void looseImagesNextToClassFoldersAreRejected() {
            Path data = classTree("cat", 1);
            TestImages.rgb(data.resolve("stray.png"), RED);

            String message = badInput(() -> Dataset.open(data, null));

            assertTrue(message.contains("both class subfolders and 1 loose image (e.g. 'stray.png')"), message);
        }

        @Test
        void aLabelListedTwiceInLabelsFileIsAmbiguous() {
            Path labels = write("labels.txt", "crane\nheron\ncrane\n");

            String message = badInput(() -> Dataset.open(classTree("crane", 1), Dataset.readLabels(labels), "DATA", "labels.txt"));

            assertTrue(message.contains("'crane' is ambiguous: labels.txt lists it on lines 1, 3"), message);
        }
    }

    @Nested
    class FlatFolder {
        @Test
        void imagesWithoutSubfoldersAreUnlabeled() throws IOException {
            Path data = tmp.resolve("flat");
            TestImages.rgb(data.resolve("b.png"), RED);
            TestImages.rgb(data.resolve("a.jpg"), RED);
            TestImages.text(data.resolve("README.md"), "x");
            Files.createDirectories(data.resolve("unused"));

            Dataset d = Dataset.open(data, List.of("ignored"));

            assertEquals(Kind.FLAT_FOLDER, d.kind());
            assertFalse(d.labeled());
            assertEquals(List.of(), d.classNames());
            assertEquals(List.of("flat/a.jpg", "flat/b.png"), names(d));
            assertEquals(-1, d.samples().getFirst().label());
            assertNull(d.samples().getFirst().labelName());
            assertEquals("2 images, unlabeled", d.summary());
        }
    }

    @Nested
    class Csv {
        private Path images() {
            Path dir = tmp.resolve("img");
            for (String n : List.of("a", "b", "c")) {
                TestImages.rgb(dir.resolve(n + ".png"), RED);
            }
            return dir;
        }

        @Test
        void indexLabelsAndPathsRelativeToTheCsvFolder() {
            images();
            Path csv = write("lists/cal.csv", "../img/b.png,2\n../img/a.png,0\n");

            Dataset d = Dataset.open(csv, null);

            assertEquals(Kind.CSV, d.kind());
            assertEquals(List.of(tmp.resolve("img/b.png"), tmp.resolve("img/a.png")), d.samples().stream().map(Sample::file).toList(),
                    "rows in file order, resolved against lists/");
            assertEquals(List.of("0", "1", "2"), d.classNames(), "indices name themselves without --labels");
            assertEquals(2, d.samples().getFirst().label());
        }

        @Test
        void indexLabelsCoverAModelsClassesWhateverTheirLargestIndex() {
            images();
            Path csv = write("cal.csv", "img/b.png,2\nimg/a.png,0\n");
            Dataset d = Dataset.open(csv, null);

            Dataset over10 = d.withIndexClasses(10);
            assertEquals(10, over10.classNames().size(), "100 ImageNet images name a few of 1000 classes, and need no names");
            assertEquals(List.of(2, 0), over10.samples().stream().map(Sample::label).toList());
            assertEquals(10, over10.sample(1).classNames().size());
            String message = badInput(() -> d.withIndexClasses(2));
            assertTrue(message.contains("labels " + tmp.resolve("img/b.png") + " with index 2, but the model has 2 outputs (indices 0 to 1)"), message);
        }

        @Test
        void namedClassesAreNotWidenedToTheModel() {
            images();
            Dataset names = Dataset.open(write("named.csv", "img/a.png,dog\nimg/b.png,cat\n"), null);
            Dataset mapped = Dataset.open(write("mapped.csv", "img/a.png,1\n"), List.of("cat", "dog", "eel"));

            assertEquals(List.of("cat", "dog"), names.withIndexClasses(10).classNames(), "sorted names must match the model's count");
            assertEquals(List.of("cat", "dog", "eel"), mapped.withIndexClasses(10).classNames(), "--labels decides the count");
        }

        @Test
        void nameLabelsAreSortedWithoutLabelsFileAndMappedWithIt() {
            images();
            Path csv = write("data.csv", "img/a.png,dog\nimg/b.png,cat\nimg/c.png,dog\n");

            Dataset sorted = Dataset.open(csv, null);
            Dataset mapped = Dataset.open(csv, List.of("dog", "cat"));

            assertEquals(List.of("cat", "dog"), sorted.classNames());
            assertEquals(List.of(1, 0, 1), sorted.samples().stream().map(Sample::label).toList());
            assertEquals(List.of(0, 1, 0), mapped.samples().stream().map(Sample::label).toList());
        }

        @Test
        void headerRowBomBlankLinesQuotedPathsAndAbsolutePaths() {
            images();
            TestImages.rgb(tmp.resolve("img/x,y.png"), RED);
            Path absolute = tmp.resolve("img/c.png").toAbsolutePath();
            Path csv = write("data.csv", "\uFEFFpath,label\r\nimg/a.png, 1\r\n\r\n\"img/x,y.png\",0\r\n" + absolute + ",1\r\n");

            Dataset d = Dataset.open(csv, List.of("cat", "dog"));

            assertEquals(3, d.size());
            assertEquals(List.of("dog", "cat", "dog"), d.samples().stream().map(Sample::labelName).toList());
            assertEquals("x,y.png", d.samples().get(1).file().getFileName().toString());
        }

        @Test
        void indicesAndNamesMayBeMixedOnlyWithLabelsFile() {
            images();
            Path csv = write("data.csv", "img/a.png,1\nimg/b.png,cat\n");

            assertEquals(List.of(1, 0), Dataset.open(csv, List.of("cat", "dog")).samples().stream().map(Sample::label).toList());
            String message = badInput(() -> Dataset.open(csv, null));
            assertTrue(message.contains("mixes label indices ('1' on line 1) and class names ('cat' on line 2)"), message);
        }

        @Test
        void rowsWithoutLabelsMakeAnUnlabeledDataset() {
            images();
            Dataset d = Dataset.open(write("data.csv", "path\nimg/a.png\nimg/c.png\n"), null);

            assertFalse(d.labeled());
            assertEquals(2, d.size());
        }

        @Test
        void missingFilesAreCountedAndTheFirstNamed() {
            images();
            Path csv = write("data.csv", "img/a.png,0\nimg/gone1.png,0\nimg/gone2.png,1\n");

            String message = badInput(() -> Dataset.open(csv, null));

            assertTrue(message.contains("lists 2 files that do not exist, the first " + tmp.resolve("img/gone1.png") + " (line 2)"), message);
        }

        @Test
        void labelIndexOutOfRange() {
            images();
            Path csv = write("data.csv", "img/a.png,0\nimg/b.png,3\n");
            Path negative = write("negative.csv", "img/a.png,-1\n");

            String message = badInput(() -> Dataset.open(csv, List.of("a", "b", "c"), "DATA", "labels.txt"));
            assertTrue(message.contains("line 2 of " + csv + " has label index 3, out of range: labels.txt has 3 names, so indices run from 0 to 2"), message);
            assertTrue(badInput(() -> Dataset.open(negative, null)).contains("label index -1, out of range"));
        }

        @Test
        void labelNamesNotInLabelsFile() {
            images();
            Path csv = write("data.csv", "img/a.png,Foo\nimg/b.png,cat\nimg/c.png,Bar\n");

            String message = badInput(() -> Dataset.open(csv, List.of("cat"), "DATA", "labels.txt"));

            assertTrue(message.startsWith("label names do not match --labels: e.g. 'Foo', 'Bar' are not in labels.txt"), message);
        }

        @Test
        void malformedRows() {
            images();
            assertTrue(badInput(() -> Dataset.open(write("a.csv", "img/a.png,1,extra\n"), null)).contains("line 1 of"));
            assertTrue(badInput(() -> Dataset.open(write("b.csv", "img/a.png,\n"), null)).contains("has an empty label"));
            assertTrue(badInput(() -> Dataset.open(write("c.csv", "\"img/a.png,1\n"), null)).contains("unterminated quote"));
            assertTrue(badInput(() -> Dataset.open(write("d.csv", "path,label\n"), null)).contains("lists no images"));
            assertTrue(badInput(() -> Dataset.open(write("e.csv", "img/a.png,1\nimg/b.png\n"), null))
                    .contains("rows with a label (line 1) and rows without (line 2)"));
        }

        @Test
        void sharedImagenetCalibrationCsvWhenPresent() {
            Path csv = repo().resolveSibling("shared").resolve("data/imagenet/calibration.csv");
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(csv), "no shared data");

            Dataset d = Dataset.open(csv, null);

            assertEquals(200, d.size());
            assertTrue(d.labeled());
        }
    }

    @Nested
    class Sampling {
        @Test
        void stratifiedRoundRobinOverClassesInIndexOrder() {
            Path data = classTree("a", 5, "b", 2, "c", 1);
            Dataset d = Dataset.open(data, null);

            assertEquals(List.of("a/0.png", "b/0.png", "c/0.png"), names(d.sample(3)), "one per class first");
            assertEquals(List.of("a/0.png", "a/1.png", "b/0.png", "c/0.png"), names(d.sample(4)));
            assertEquals(List.of("a/0.png", "a/1.png", "a/2.png", "b/0.png", "b/1.png", "c/0.png"), names(d.sample(6)));
            assertEquals(names(d.sample(4)), names(Dataset.open(data, null).sample(4)), "same inputs, same subset");
            assertSame(d, d.sample(8), "at most n");
            assertThrows(IllegalArgumentException.class, () -> d.sample(0));
        }

        @Test
        void stratifiedFollowsLabelsFileOrder() {
            Dataset d = Dataset.open(classTree("a", 2, "b", 2), List.of("b", "a"));

            assertEquals(List.of("b/0.png"), names(d.sample(1)));
        }

        @Test
        void unlabeledSubsetIsEvenlySpaced() {
            Path data = tmp.resolve("flat");
            for (int i = 0; i < 10; i++) {
                TestImages.rgb(data.resolve(i + ".png"), RED);
            }

            assertEquals(List.of("flat/0.png", "flat/3.png", "flat/6.png"), names(Dataset.open(data, null).sample(3)));
        }

        @Test
        void excludingLeavesHeldOutImages() {
            Dataset all = Dataset.open(classTree("a", 3, "b", 3), null);
            Dataset calibration = all.sample(2);

            Dataset heldOut = all.excluding(calibration);

            assertEquals(4, heldOut.size());
            Set<Path> files = new HashSet<>(heldOut.samples().stream().map(Sample::file).toList());
            assertTrue(calibration.samples().stream().noneMatch(s -> files.contains(s.file())));
            assertEquals(all.classNames(), heldOut.classNames());
            assertTrue(all.excluding(all).isEmpty());
        }
    }

    @Nested
    class BadData {
        @Test
        void missingPath() {
            Path data = tmp.resolve("nope");

            assertEquals("the calibration path " + data + " does not exist: check the path given to --calibration",
                    badInput(() -> Dataset.open(data, null, "--calibration", null)));
            assertTrue(badInput(() -> Dataset.open(data, null)).contains("check the path given as DATA"));
        }

        @Test
        void emptyFolder() throws IOException {
            Path data = Files.createDirectories(tmp.resolve("cal"));

            assertEquals("the calibration folder " + data
                            + " holds no images: point --calibration at a folder of images, or at class subfolders of images",
                    badInput(() -> Dataset.open(data, null, "--calibration", null)));
        }

        @Test
        void folderOfNonImagesMentionsWhatWasSkipped() {
            Path data = tmp.resolve("cal");
            TestImages.text(data.resolve("cat/list.csv"), "x");
            TestImages.text(data.resolve("cat/notes.txt"), "x");

            String message = badInput(() -> Dataset.open(data, null, "--calibration", null));

            assertTrue(message.contains("holds no images (skipped 2 files that are not images, e.g. 'list.csv'"), message);
        }

        @Test
        void singleImageOrOtherFile() {
            Path image = TestImages.rgb(tmp.resolve("a.png"), RED);
            Path other = write("model.h5", "x");

            assertTrue(badInput(() -> Dataset.open(image, null)).contains("is a single image"));
            assertTrue(badInput(() -> Dataset.open(other, null)).contains("is neither a folder nor a .csv file"));
        }

        @Test
        void labelsFile() {
            assertTrue(badInput(() -> Dataset.readLabels(write("l1.txt", "a\n\nb\n"))).contains("line 2 of the labels file"));
            assertTrue(badInput(() -> Dataset.readLabels(write("l2.txt", "\n \n"))).contains("is empty"));
            assertTrue(badInput(() -> Dataset.readLabels(tmp.resolve("l3.txt"))).contains("does not exist"));
            assertEquals(List.of("a", "b c"), Dataset.readLabels(write("l4.txt", " a\r\nb c\n\n")));
        }
    }
}
