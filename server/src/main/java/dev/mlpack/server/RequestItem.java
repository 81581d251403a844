package dev.mlpack.server;

/** One thing to classify in a request: an image file, or (TF Serving) a tensor the model takes as it is. */
sealed interface RequestItem permits ImageRequests.ImageFile, TfServing.Tensor {}
