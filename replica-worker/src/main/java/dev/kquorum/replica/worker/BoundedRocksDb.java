package dev.kquorum.replica.worker;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of every store in the process, however many tasks it runs: one block cache
 * and one write buffer manager shared by all of them (a store per task each with RocksDB's own
 * defaults would grow with the partition count). Memtables are charged to the cache, so
 * {@link #CACHE_BYTES} bounds both. Index and filter blocks live in the cache too, with high
 * priority, so they are bounded and rarely evicted.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    /** Streams config key: bytes of off-heap memory for all the process's stores (default {@value #DEFAULT_CACHE_BYTES}). */
    public static final String CACHE_BYTES = "kquorum.rocksdb.cache.bytes";
    public static final long DEFAULT_CACHE_BYTES = 128L << 20;
    /** Share of the cache that memtables may take before RocksDB flushes them. */
    private static final double MEMTABLE_SHARE = 0.5;
    /** Share of the cache kept for index and filter blocks. */
    private static final double INDEX_FILTER_SHARE = 0.1;
    private static final long WRITE_BUFFER_BYTES = 8L << 20;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    private static synchronized void share(long bytes) {
        if (cache == null) {
            cache = new LRUCache(bytes, -1, false, INDEX_FILTER_SHARE);
            writeBuffers = new WriteBufferManager((long) (bytes * MEMTABLE_SHARE), cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object configured = configs.get(CACHE_BYTES);
        share(configured == null ? DEFAULT_CACHE_BYTES : Long.parseLong(configured.toString()));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(writeBuffers);
        options.setWriteBufferSize(WRITE_BUFFER_BYTES);
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the process: kept.
    }
}
