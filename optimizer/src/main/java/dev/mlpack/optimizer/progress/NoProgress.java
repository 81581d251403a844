package dev.mlpack.optimizer.progress;

/** {@link Progress#none()}: a progress that ignores everything. */
enum NoProgress implements Progress, Task {
    INSTANCE;

    @Override
    public Task start(String name, long total, String unit) {
        return this;
    }

    @Override
    public void step(long n) {}

    @Override
    public void close() {}
}
