package dev.mlpack.optimizer.data;

import dev.mlpack.optimizer.errors.ConversionException;
import dev.mlpack.runtime.image.ImageFormat;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The images named by a DATA argument ({@code --calibration DIR}, {@code evaluate DATA}), in one of
 * three layouts:
 *
 * <ul>
 *   <li>{@link Kind#CLASS_FOLDERS}: a folder with one subfolder per class, the subfolder's name
 *       being the label (as Keras' {@code image_dataset_from_directory}). Images are found at any
 *       depth inside a class folder. Every (non-hidden) subfolder is a class, even an empty one,
 *       so that without {@code --labels} the output index is the position of the folder name in
 *       sorted order, exactly as in Keras;
 *   <li>{@link Kind#CSV}: a {@code .csv} file of {@code path,label} rows. The label is an output
 *       index (digits) or a class name; relative paths resolve against the CSV's folder; a header
 *       row such as {@code path,label} is skipped; fields may be quoted ({@code "a,b.jpg",3}).
 *       Rows with a path only make an unlabeled dataset;
 *   <li>{@link Kind#FLAT_FOLDER}: a folder of images with no subfolders holding images: unlabeled,
 *       fit for calibration only.
 * </ul>
 *
 * <p>Names map to output indices through {@code --labels} (line i = index i) when given, else by
 * sorted order of the names (Unicode code points, as Python's {@code sorted}). A CSV with index
 * labels and no {@code --labels} has the class names {@code "0", "1", ...} up to its largest index.
 *
 * <p>Files in folders are listed in sorted order (directory, then file name), CSV rows in file
 * order. Hidden files and folders (names starting with {@code .}) and anything that is not a
 * regular file are skipped silently; files without an image extension ({@link ImageFormat}: .jpg, .jpeg, .png, .bmp,
 * .gif, any case) are skipped but counted ({@link #skippedFiles()}) so that errors can mention
 * them. Problems raise {@link ConversionException#badInput} with a one-line message.
 *
 * <p>Immutable and thread-safe.
 */
public final class Dataset {

    /** The layout a dataset was read from. */
    public enum Kind { CLASS_FOLDERS, CSV, FLAT_FOLDER }

    /**
     * One image of a dataset.
     *
     * @param file the image file (the DATA path resolved with the folder or CSV entry; relative if
     *     DATA was)
     * @param label the output index, or -1 when unlabeled
     * @param labelName the class name, or null when unlabeled
     */
    public record Sample(Path file, int label, String labelName) {
        public Sample {
            Objects.requireNonNull(file, "file");
            if (label < -1 || (label == -1) != (labelName == null)) {
                throw new IllegalArgumentException("label " + label + " with name " + labelName);
            }
        }

        /** An unlabeled sample. */
        public static Sample unlabeled(Path file) {
            return new Sample(file, -1, null);
        }

        public boolean labeled() {
            return label >= 0;
        }
    }

    /** Orders strings by Unicode code point, as Python's {@code sorted} does. */
    public static final Comparator<String> CODE_POINT_ORDER = Dataset::compareCodePoints;

    private static final Set<String> HEADER_PATH = Set.of("path", "file", "filename", "file_name", "filepath", "image", "image_path");
    private static final Set<String> HEADER_LABEL = Set.of("label", "labels", "class", "class_name", "label_name", "category", "label_index", "class_index");
    private static final int EXAMPLES = 3;

    private final Path source;
    private final Kind kind;
    private final List<Sample> samples;
    private final List<String> classNames;
    private final int skippedFiles;
    /** The labels are bare output indices (a CSV without --labels): the class names are just "0", "1", ... */
    private final boolean indexLabels;

    private Dataset(Path source, Kind kind, List<Sample> samples, List<String> classNames, int skippedFiles) {
        this(source, kind, samples, classNames, skippedFiles, false);
    }

    private Dataset(Path source, Kind kind, List<Sample> samples, List<String> classNames, int skippedFiles, boolean indexLabels) {
        this.source = source;
        this.kind = kind;
        this.samples = List.copyOf(samples);
        this.classNames = List.copyOf(classNames);
        this.skippedFiles = skippedFiles;
        this.indexLabels = indexLabels;
    }

    // ------------------------------------------------------------------ opening

    /**
     * Opens DATA, naming it {@code DATA} and the labels {@code --labels} in error messages.
     *
     * @param data a class folder tree, a CSV file or a flat folder of images
     * @param labels the class names in output-index order ({@code --labels}), or null
     */
    public static Dataset open(Path data, List<String> labels) {
        return open(data, labels, "DATA", "--labels");
    }

    /**
     * Opens a dataset, naming it after the option it came from in error messages.
     *
     * @param data a class folder tree, a CSV file or a flat folder of images
     * @param labels the class names in output-index order (e.g. from {@link #readLabels}), or null
     * @param option how the user gave {@code data}, e.g. {@code "--calibration"} or {@code "DATA"}
     * @param labelsName how the user gave {@code labels}, e.g. the file name {@code "labels.txt"}
     */
    public static Dataset open(Path data, List<String> labels, String option, String labelsName) {
        Objects.requireNonNull(data, "data");
        Naming naming = new Naming(option, labelsName);
        LabelMap map = labels == null ? null : new LabelMap(labels, labelsName);
        if (Files.isDirectory(data)) {
            return openFolder(data, map, naming);
        }
        if (!Files.exists(data)) {
            throw ConversionException.badInput("the " + naming.noun() + " path " + data + " does not exist: check the path "
                    + naming.givenTo());
        }
        String ext = extension(data.getFileName().toString());
        if (Files.isRegularFile(data) && ext.equals("csv")) {
            return openCsv(data, map, naming);
        }
        if (isImageName(data.getFileName().toString())) {
            throw ConversionException.badInput("the " + naming.noun() + " path " + data + " is a single image: " + naming.pointAt()
                    + " the folder that holds it, or at class subfolders of images");
        }
        throw ConversionException.badInput("the " + naming.noun() + " path " + data + " is neither a folder nor a .csv file: "
                + naming.pointAt() + " a folder of images, at class subfolders of images, or at a CSV of path,label rows");
    }

    /**
     * Reads a labels file: one class name per line, line i naming output index i. Surrounding spaces
     * are trimmed; blank lines at the end are ignored, blank lines before the last name are an
     * error (they would shift every later index).
     */
    public static List<String> readLabels(Path file) {
        if (!Files.isRegularFile(file)) {
            throw ConversionException.badInput("the labels file " + file + (Files.exists(file) ? " is not a file" : " does not exist")
                    + ": check the path given to --labels");
        }
        List<String> lines = readUtf8Lines(file, "labels file");
        int last = lines.size() - 1;
        while (last >= 0 && lines.get(last).isBlank()) {
            last--;
        }
        if (last < 0) {
            throw ConversionException.badInput("the labels file " + file + " is empty: put one class name per line, line i naming output index i");
        }
        List<String> names = new ArrayList<>(last + 1);
        for (int i = 0; i <= last; i++) {
            String name = lines.get(i).strip();
            if (name.isEmpty()) {
                throw ConversionException.badInput("line " + (i + 1) + " of the labels file " + file
                        + " is blank: put one class name on every line (line i names output index i)");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    // ------------------------------------------------------------------ accessors

    /** The DATA path this dataset was opened from (for subsets, the original one). */
    public Path source() {
        return source;
    }

    public Kind kind() {
        return kind;
    }

    /** The images, folders in sorted order, CSV rows in file order. */
    public List<Sample> samples() {
        return samples;
    }

    public int size() {
        return samples.size();
    }

    public boolean isEmpty() {
        return samples.isEmpty();
    }

    /** Whether the samples carry labels (class folders, or a CSV with labels). */
    public boolean labeled() {
        return !classNames.isEmpty();
    }

    /** The class names in output-index order (all of {@code --labels} when given), or empty when unlabeled. */
    public List<String> classNames() {
        return classNames;
    }

    /** How many files were skipped for not having an image extension. */
    public int skippedFiles() {
        return skippedFiles;
    }

    /** A short description for logs, e.g. {@code "300 images in 10 classes"}. */
    public String summary() {
        String images = samples.size() + (samples.size() == 1 ? " image" : " images");
        return labeled() ? images + " in " + classNames.size() + (classNames.size() == 1 ? " class" : " classes") : images + ", unlabeled";
    }

    @Override
    public String toString() {
        return "Dataset[" + kind + " " + source + ": " + summary() + "]";
    }

    // ------------------------------------------------------------------ subsets

    /**
     * A deterministic subset of at most {@code n} images, in this dataset's order: the same dataset
     * and {@code n} always give the same subset, and a smaller {@code n} gives a subset of it.
     *
     * <p>Labeled: stratified, picking round-robin over the classes in index order, inside each class
     * the files in sorted path order (so every class is represented once {@code n} reaches the number
     * of non-empty classes). Unlabeled: evenly spaced over the listing (files {@code floor(i * size /
     * n)}), so that a folder sorted by class name is not cut to its first classes.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Dataset sample(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("sample size must be at least 1, got " + n);
        }
        int size = samples.size();
        if (n >= size) {
            return this;
        }
        boolean[] chosen = new boolean[size];
        if (labeled()) {
            Map<Integer, List<Integer>> byClass = new TreeMap<>();
            for (int i = 0; i < size; i++) {
                byClass.computeIfAbsent(samples.get(i).label(), k -> new ArrayList<>()).add(i);
            }
            List<List<Integer>> classes = new ArrayList<>(byClass.values());
            for (List<Integer> members : classes) {
                members.sort(Comparator.comparing((Integer i) -> samples.get(i).file().toString(), CODE_POINT_ORDER)
                        .thenComparing(Comparator.naturalOrder()));
            }
            int picked = 0;
            for (int round = 0; picked < n; round++) {
                for (List<Integer> members : classes) {
                    if (round < members.size() && picked < n) {
                        chosen[members.get(round)] = true;
                        picked++;
                    }
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                chosen[(int) ((long) i * size / n)] = true;
            }
        }
        List<Sample> subset = new ArrayList<>(n);
        for (int i = 0; i < size; i++) {
            if (chosen[i]) {
                subset.add(samples.get(i));
            }
        }
        return new Dataset(source, kind, subset, classNames, skippedFiles, indexLabels);
    }

    /**
     * This dataset over a model's {@code outputs} classes, when its labels are bare output indices (a CSV of index
     * labels read without --labels): those need no class names, and an evaluation sample often covers only some of
     * a model's classes (100 ImageNet images name at most 100 of 1000), so the classes become "0" to
     * "outputs − 1". A dataset with named classes is returned as it is, for the caller to check against the model.
     *
     * @throws ConversionException when an index is not an output of the model
     */
    public Dataset withIndexClasses(int outputs) {
        if (!indexLabels || classNames.size() == outputs) {
            return this;
        }
        Optional<Sample> past = samples.stream().filter(x -> x.label() >= outputs).findFirst();
        if (past.isPresent()) {
            throw ConversionException.badInput(source + " labels " + past.get().file() + " with index " + past.get().label()
                    + ", but the model has " + outputs + " outputs (indices 0 to " + (outputs - 1)
                    + "): fix the label, or check that the data belongs to this model");
        }
        List<String> names = new ArrayList<>(outputs);
        for (int i = 0; i < outputs; i++) {
            names.add(Integer.toString(i));
        }
        return new Dataset(source, kind, samples, names, skippedFiles, true);
    }

    /**
     * This dataset without the files of {@code other} (compared as absolute, normalised paths), e.g.
     * to evaluate on images not used for calibration. May be empty.
     */
    public Dataset excluding(Dataset other) {
        Set<Path> drop = new HashSet<>();
        for (Sample s : other.samples) {
            drop.add(key(s.file()));
        }
        List<Sample> kept = samples.stream().filter(s -> !drop.contains(key(s.file()))).toList();
        return kept.size() == samples.size() ? this : new Dataset(source, kind, kept, classNames, skippedFiles, indexLabels);
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    // ------------------------------------------------------------------ folders

    private static Dataset openFolder(Path dir, LabelMap labels, Naming naming) {
        List<Path> looseImages = new ArrayList<>();
        List<Path> subdirs = new ArrayList<>();
        Skipped skipped = new Skipped();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    subdirs.add(p);
                } else if (Files.isRegularFile(p)) {
                    if (isImageName(name)) {
                        looseImages.add(p);
                    } else {
                        skipped.add(name);
                    }
                }
            }
        } catch (IOException e) {
            throw cannotRead(dir, naming, e);
        }
        looseImages.sort(Comparator.comparing(p -> p.getFileName().toString(), CODE_POINT_ORDER));
        subdirs.sort(Comparator.comparing(p -> p.getFileName().toString(), CODE_POINT_ORDER));

        Map<Path, List<Path>> classFiles = new java.util.LinkedHashMap<>();
        int classImages = 0;
        for (Path sub : subdirs) {
            List<Path> files = listTree(sub, skipped, naming);
            classFiles.put(sub, files);
            classImages += files.size();
        }

        if (classImages == 0) {
            if (looseImages.isEmpty()) {
                throw ConversionException.badInput("the " + naming.noun() + " folder " + dir + " holds no images" + skipped.note()
                        + ": " + naming.pointAt() + " a folder of images, or at class subfolders of images");
            }
            // Subfolders without images (e.g. an empty "old/") do not make this a class tree.
            List<Sample> samples = looseImages.stream().map(Sample::unlabeled).toList();
            return new Dataset(dir, Kind.FLAT_FOLDER, samples, List.of(), skipped.count);
        }
        if (!looseImages.isEmpty()) {
            throw ConversionException.badInput("the " + naming.noun() + " folder " + dir + " holds both class subfolders and "
                    + looseImages.size() + " loose " + plural(looseImages.size(), "image") + " (e.g. '" + looseImages.getFirst().getFileName()
                    + "'): move the loose images into class subfolders, or " + naming.pointAt() + " a folder that holds only images");
        }

        List<String> folderNames = subdirs.stream().map(p -> p.getFileName().toString()).toList();
        List<String> classNames;
        Map<String, Integer> index = new HashMap<>();
        if (labels == null) {
            classNames = folderNames;
            for (int i = 0; i < folderNames.size(); i++) {
                index.put(folderNames.get(i), i);
            }
        } else {
            // Empty class folders need not be in --labels: they contribute no image to label.
            Set<String> used = new LinkedHashSet<>();
            classFiles.forEach((sub, files) -> {
                if (!files.isEmpty()) {
                    used.add(sub.getFileName().toString());
                }
            });
            labels.checkKnown(used);
            for (String name : used) {
                index.put(name, labels.indexOf(name, null));
            }
            classNames = labels.names;
        }

        List<Sample> samples = new ArrayList<>(classImages);
        classFiles.forEach((sub, files) -> {
            String name = sub.getFileName().toString();
            for (Path f : files) {
                samples.add(new Sample(f, index.get(name), labels == null ? name : labels.names.get(index.get(name))));
            }
        });
        return new Dataset(dir, Kind.CLASS_FOLDERS, samples, classNames, skipped.count);
    }

    /** Image files at any depth under {@code root}, sorted by (directory, file name). */
    private static List<Path> listTree(Path root, Skipped skipped, Naming naming) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return !d.equals(root) && d.getFileName().toString().startsWith(".") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    String name = f.getFileName().toString();
                    if (!name.startsWith(".") && attrs.isRegularFile()) {
                        if (isImageName(name)) {
                            files.add(f);
                        } else {
                            skipped.add(root.relativize(f).toString());
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                    if (e instanceof FileSystemLoopException) {
                        return FileVisitResult.CONTINUE; // a symbolic link back up the tree
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw cannotRead(root, naming, e);
        }
        files.sort(Comparator.comparing((Path p) -> dirOf(root.relativize(p)), CODE_POINT_ORDER)
                .thenComparing(p -> p.getFileName().toString(), CODE_POINT_ORDER));
        return files;
    }

    private static String dirOf(Path relative) {
        Path parent = relative.getParent();
        return parent == null ? "" : parent.toString();
    }

    // ------------------------------------------------------------------ CSV

    private record Row(int line, Path file, String label) {}

    private static Dataset openCsv(Path csv, LabelMap labels, Naming naming) {
        List<String> lines = readUtf8Lines(csv, naming.noun() + " file");
        Path base = csv.getParent();
        List<Row> rows = new ArrayList<>();
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int lineNo = i + 1;
            if (line.isBlank()) {
                continue;
            }
            List<String> fields = splitCsvLine(line, lineNo, csv);
            if (first) {
                first = false;
                if (isHeader(fields)) {
                    continue;
                }
            }
            if (fields.size() > 2) {
                throw ConversionException.badInput("line " + lineNo + " of " + csv + " has " + fields.size()
                        + " fields: expected path,label (quote paths that contain commas)");
            }
            String pathField = fields.get(0);
            if (pathField.isEmpty()) {
                throw ConversionException.badInput("line " + lineNo + " of " + csv + " has an empty path: expected path,label");
            }
            Path p;
            try {
                p = Path.of(pathField);
            } catch (InvalidPathException e) {
                throw ConversionException.badInput("line " + lineNo + " of " + csv + " has an invalid path '" + pathField + "': " + e.getReason());
            }
            Path file = (p.isAbsolute() || base == null ? p : base.resolve(p)).normalize();
            String label = fields.size() == 2 ? fields.get(1) : null;
            if (label != null && label.isEmpty()) {
                throw ConversionException.badInput("line " + lineNo + " of " + csv + " has an empty label: give every row a label"
                        + " (an output index or a class name), or none");
            }
            rows.add(new Row(lineNo, file, label));
        }
        if (rows.isEmpty()) {
            throw ConversionException.badInput("the " + naming.noun() + " file " + csv + " lists no images: add path,label rows, one per image");
        }

        long withLabel = rows.stream().filter(r -> r.label() != null).count();
        if (withLabel != 0 && withLabel != rows.size()) {
            Row a = rows.stream().filter(r -> r.label() != null).findFirst().orElseThrow();
            Row b = rows.stream().filter(r -> r.label() == null).findFirst().orElseThrow();
            throw ConversionException.badInput(csv + " has rows with a label (line " + a.line() + ") and rows without (line " + b.line()
                    + "): give every row a label, or none");
        }

        checkFilesExist(csv, rows);

        if (withLabel == 0) {
            return new Dataset(csv, Kind.CSV, rows.stream().map(r -> Sample.unlabeled(r.file())).toList(), List.of(), 0);
        }
        return labels == null ? csvWithoutLabels(csv, rows) : csvWithLabels(csv, rows, labels);
    }

    private static void checkFilesExist(Path csv, List<Row> rows) {
        List<Row> missing = rows.stream().filter(r -> !Files.isRegularFile(r.file())).toList();
        if (!missing.isEmpty()) {
            Row r = missing.getFirst();
            String what = missing.size() == 1 ? "1 file that does not exist" : missing.size() + " files that do not exist";
            throw ConversionException.badInput(csv + " lists " + what + ", the first " + r.file() + " (line " + r.line()
                    + "): fix or remove those rows (relative paths are resolved against the CSV's folder)");
        }
    }

    private static Dataset csvWithLabels(Path csv, List<Row> rows, LabelMap labels) {
        Set<String> names = new LinkedHashSet<>();
        for (Row r : rows) {
            if (!isIndex(r.label())) {
                names.add(r.label());
            }
        }
        labels.checkKnown(names);
        List<Sample> samples = new ArrayList<>(rows.size());
        for (Row r : rows) {
            int index;
            if (isIndex(r.label())) {
                index = parseIndex(csv, r, labels.names.size(), labels.source);
            } else {
                index = labels.indexOf(r.label(), r);
            }
            samples.add(new Sample(r.file(), index, labels.names.get(index)));
        }
        return new Dataset(csv, Kind.CSV, samples, labels.names, 0);
    }

    private static Dataset csvWithoutLabels(Path csv, List<Row> rows) {
        Row anIndex = null;
        Row aName = null;
        for (Row r : rows) {
            if (isIndex(r.label())) {
                anIndex = anIndex == null ? r : anIndex;
            } else {
                aName = aName == null ? r : aName;
            }
        }
        if (anIndex != null && aName != null) {
            throw ConversionException.badInput(csv + " mixes label indices ('" + anIndex.label() + "' on line " + anIndex.line()
                    + ") and class names ('" + aName.label() + "' on line " + aName.line()
                    + "): use one kind of label, or pass --labels to map the names to indices");
        }
        List<Sample> samples = new ArrayList<>(rows.size());
        List<String> classNames;
        if (aName == null) {
            int max = 0;
            int[] indices = new int[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                indices[i] = parseIndex(csv, rows.get(i), Integer.MAX_VALUE, null);
                max = Math.max(max, indices[i]);
            }
            classNames = new ArrayList<>(max + 1);
            for (int i = 0; i <= max; i++) {
                classNames.add(Integer.toString(i));
            }
            for (int i = 0; i < rows.size(); i++) {
                samples.add(new Sample(rows.get(i).file(), indices[i], classNames.get(indices[i])));
            }
            return new Dataset(csv, Kind.CSV, samples, classNames, 0, true);
        } else {
            TreeSet<String> sorted = new TreeSet<>(CODE_POINT_ORDER);
            rows.forEach(r -> sorted.add(r.label()));
            classNames = List.copyOf(sorted);
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < classNames.size(); i++) {
                index.put(classNames.get(i), i);
            }
            for (Row r : rows) {
                samples.add(new Sample(r.file(), index.get(r.label()), r.label()));
            }
        }
        return new Dataset(csv, Kind.CSV, samples, classNames, 0);
    }

    private static boolean isIndex(String label) {
        int start = label.startsWith("-") ? 1 : 0;
        if (label.length() == start) {
            return false;
        }
        for (int i = start; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int parseIndex(Path csv, Row r, int count, String labelsName) {
        long value;
        try {
            value = Long.parseLong(r.label());
        } catch (NumberFormatException e) {
            value = Long.MAX_VALUE; // too many digits
        }
        if (value < 0 || value >= count) {
            String range = labelsName == null
                    ? "label indices start at 0"
                    : labelsName + " has " + count + " " + plural(count, "name") + ", so indices run from 0 to " + (count - 1);
            throw ConversionException.badInput("line " + r.line() + " of " + csv + " has label index " + r.label()
                    + ", out of range: " + range + "; fix the row or pass the labels file the model was trained with");
        }
        return (int) value;
    }

    private static boolean isHeader(List<String> fields) {
        return HEADER_PATH.contains(fields.get(0).toLowerCase(Locale.ROOT))
                && (fields.size() == 1 || HEADER_LABEL.contains(fields.get(1).toLowerCase(Locale.ROOT)));
    }

    /** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields); unquoted fields are trimmed. */
    static List<String> splitCsvLine(String line, int lineNo, Path csv) {
        List<String> fields = new ArrayList<>(2);
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            // skip leading blanks
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            field.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                if (!closed) {
                    throw ConversionException.badInput("line " + lineNo + " of " + csv + " has an unterminated quote: close the quoted field with \"");
                }
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                    i++;
                }
                if (i < n && line.charAt(i) != ',') {
                    throw ConversionException.badInput("line " + lineNo + " of " + csv + " has text after a quoted field: write fields as \"path\",label");
                }
                fields.add(field.toString());
            } else {
                int end = line.indexOf(',', i);
                if (end < 0) {
                    end = n;
                }
                fields.add(line.substring(i, end).strip());
                i = end;
            }
            if (i >= n) {
                return fields;
            }
            i++; // the comma
            if (i >= n) {
                fields.add("");
                return fields;
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> readUtf8Lines(Path file, String what) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw ConversionException.badInput("the " + what + " " + file + " is not UTF-8 text: save it as UTF-8");
        } catch (IOException e) {
            throw ConversionException.badInput("cannot read the " + what + " " + file + " (" + oneLine(e) + "): check that it is readable");
        }
        if (!lines.isEmpty() && lines.getFirst().startsWith("\uFEFF")) {
            lines = new ArrayList<>(lines);
            lines.set(0, lines.getFirst().substring(1));
        }
        return lines;
    }

    static boolean isImageName(String name) {
        return ImageFormat.ofFileName(name).isPresent();
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static ConversionException cannotRead(Path dir, Naming naming, IOException e) {
        return ConversionException.badInput("cannot read the " + naming.noun() + " folder " + dir + " (" + oneLine(e)
                + "): check that it exists and is readable");
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return m.replaceAll("\\s+", " ").strip();
    }

    static String plural(long n, String word) {
        return n == 1 ? word : word + "s";
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return i < a.length() ? 1 : j < b.length() ? -1 : 0;
    }

    /** How DATA and the labels were given, for messages. */
    private record Naming(String option, String labelsName) {
        Naming {
            option = option == null ? "DATA" : option;
        }

        /** "calibration" for --calibration, else "data". */
        String noun() {
            return option.startsWith("--") ? option.substring(2) : "data";
        }

        String givenTo() {
            return option.startsWith("--") ? "given to " + option : "given as " + option;
        }

        String pointAt() {
            return "point " + option + " at";
        }
    }

    /** Files without an image extension, counted for messages. */
    private static final class Skipped {
        int count;
        String first;

        void add(String name) {
            if (first == null) {
                first = name;
            }
            count++;
        }

        String note() {
            return count == 0 ? "" : " (skipped " + count + " " + plural(count, "file") + " that " + (count == 1 ? "is not an image" : "are not images")
                    + ", e.g. '" + first + "'; images end in " + ImageFormat.fileExtensions() + ")";
        }
    }

    /** {@code --labels}: names to output indices, remembering duplicates. */
    private static final class LabelMap {
        final List<String> names;
        final String source;
        final Map<String, List<Integer>> indices = new HashMap<>();

        LabelMap(List<String> names, String source) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("labels must not be empty");
            }
            this.names = List.copyOf(names);
            this.source = source == null ? "--labels" : source;
            for (int i = 0; i < names.size(); i++) {
                indices.computeIfAbsent(names.get(i), k -> new ArrayList<>()).add(i);
            }
        }

        /** Fails when some of {@code used} are not label names. */
        void checkKnown(Set<String> used) {
            List<String> unknown = used.stream().filter(n -> !indices.containsKey(n)).toList();
            if (!unknown.isEmpty()) {
                String examples = unknown.stream().limit(EXAMPLES).map(n -> "'" + n + "'").collect(Collectors.joining(", "));
                String verb = unknown.size() == 1 ? " is" : " are";
                String more = unknown.size() > EXAMPLES ? " (" + unknown.size() + " of " + used.size() + " names)" : "";
                throw ConversionException.badInput("label names do not match --labels: e.g. " + examples + verb + " not in " + source + more
                        + "; name the classes as in " + source + " (line i = output index i), or pass the labels file the model was trained with");
            }
        }

        /** The output index of a known name; fails if the name is listed more than once. */
        int indexOf(String name, Row row) {
            List<Integer> at = indices.get(name);
            if (at.size() > 1) {
                throw ConversionException.badInput("the label '" + name + "'" + (row == null ? "" : " (line " + row.line() + ")")
                        + " is ambiguous: " + source + " lists it on lines " + at.stream().map(i -> Integer.toString(i + 1)).collect(Collectors.joining(", "))
                        + "; make the names unique, or use a CSV with label indices instead of names");
            }
            return at.getFirst();
        }
    }
}
