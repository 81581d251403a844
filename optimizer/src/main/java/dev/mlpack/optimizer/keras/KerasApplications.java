package dev.mlpack.optimizer.keras;

import dev.mlpack.optimizer.ir.Graph;
import dev.mlpack.optimizer.ir.Node;
import dev.mlpack.runtime.image.Preprocess;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The keras.applications families that do not rescale their input by themselves, recognised by layer names only
 * they use, with what their {@code preprocess_input} does. The families that rescale by themselves (EfficientNet,
 * EfficientNetV2, ConvNeXt, MobileNetV3, RegNet, ResNetRS) need no entry: their graph shows the scaling.
 */
final class KerasApplications {
    /** A family: every one of {@code layers} names a layer of the model. */
    record Family(String name, Preprocess preprocess, List<String> layers) {}

    // Order matters where families share layer names: ResNetV2 and DenseNet before ResNet, Xception before VGG.
    private static final List<Family> FAMILIES = List.of(
            new Family("MobileNetV2", Preprocess.TF, List.of("Conv1", "expanded_conv_depthwise", "block_1_expand")),
            new Family("MobileNet", Preprocess.TF, List.of("conv1", "conv_dw_1", "conv_pw_1")),
            new Family("NASNet", Preprocess.TF, List.of("stem_conv1", "stem_bn1")),
            new Family("InceptionResNetV2", Preprocess.TF, List.of("block35_1_mixed", "block17_1_mixed")),
            new Family("InceptionV3", Preprocess.TF, List.of("mixed0", "mixed1", "mixed2")),
            new Family("Xception", Preprocess.TF, List.of("block1_conv1", "block2_sepconv1")),
            new Family("ResNetV2", Preprocess.TF, List.of("conv1_conv", "conv2_block1_preact_bn", "post_bn")),
            new Family("DenseNet", Preprocess.TORCH, List.of("conv1_conv", "conv2_block1_0_bn", "pool2_conv")),
            new Family("ResNet", Preprocess.CAFFE, List.of("conv1_conv", "conv2_block1_0_conv", "conv2_block1_1_conv")),
            new Family("VGG", Preprocess.CAFFE, List.of("block1_conv1", "block1_conv2", "block5_conv1")));

    private KerasApplications() {}

    /** The first family all of whose layer names the graph holds. */
    static Optional<Family> recognise(Graph graph) {
        Set<String> scopes = new HashSet<>();
        for (Node n : graph.nodes()) scopes.addAll(List.of(n.origin().split("/")));
        return FAMILIES.stream().filter(f -> f.layers().stream().allMatch(l -> has(scopes, l))).findFirst();
    }

    /** Keras 3 SavedModels (model.export() and tf.saved_model.save) name each layer's scope with "_1" appended. */
    private static boolean has(Set<String> scopes, String layer) {
        return scopes.contains(layer) || scopes.contains(layer + "_1");
    }
}
