package dev.mlpack.optimizer.ir;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Layer-name globs as the options take them ({@code --prune-skip}, {@code --float-layers}): {@code *} matches any
 * run of characters, {@code ?} one. Keras 3 exports scope a layer's ops as {@code name_1}, so the name without that
 * suffix matches too.
 */
public final class LayerPatterns {
    private LayerPatterns() {}

    /** Whether {@code layer} matches one of {@code globs}. */
    public static boolean matchesAny(List<String> globs, String layer) {
        String keras = layer.replaceFirst("_\\d+$", "");
        for (String glob : globs) {
            Pattern p = globPattern(glob);
            if (p.matcher(layer).matches() || p.matcher(keras).matches()) return true;
        }
        return false;
    }

    private static Pattern globPattern(String glob) {
        StringBuilder re = new StringBuilder();
        for (String part : glob.split("((?<=[*?])|(?=[*?]))")) {
            re.append(switch (part) {
                case "*" -> ".*";
                case "?" -> ".";
                default -> Pattern.quote(part);
            });
        }
        return Pattern.compile(re.toString());
    }
}
