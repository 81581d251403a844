package dev.mlpack.optimizer.ir;

/** The dtype and static shape of a tensor. */
public record TensorType(DType dtype, Shape shape) {}
