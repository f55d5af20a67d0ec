package dev.kquorum.replica.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

import dev.kquorum.common.version.Versioned;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The durable store: RocksDB, values in the default column family and consumed offsets in
 * {@code offsets}, both written in one {@link WriteBatch}. The write-ahead log makes a committed
 * batch survive a SIGKILL of the process; {@code fsync} also makes it survive a power cut, at a
 * price per batch (off by default, like Kafka's own flush policy).
 */
public final class RocksDbReplicaStore implements ReplicaStore {

    static {
        RocksDbLibrary.load();
    }

    private static final byte[] OFFSETS_CF = "offsets".getBytes(StandardCharsets.UTF_8);

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle values;
    private final ColumnFamilyHandle offsets;
    private final List<ColumnFamilyHandle> handles;

    private RocksDbReplicaStore(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions, WriteOptions writeOptions,
                                RocksDB db, List<ColumnFamilyHandle> handles) {
        this.dir = dir;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.writeOptions = writeOptions;
        this.db = db;
        this.handles = handles;
        this.values = handles.get(0);
        this.offsets = handles.get(1);
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static RocksDbReplicaStore open(Path dir, boolean fsync) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create store directory " + dir + ": " + e.getMessage(), e);
        }
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        WriteOptions writeOptions = new WriteOptions().setSync(fsync);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(OFFSETS_CF, cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new RocksDbReplicaStore(dir, dbOptions, cfOptions, writeOptions, db, handles);
        } catch (RocksDBException e) {
            writeOptions.close();
            cfOptions.close();
            dbOptions.close();
            throw new IllegalStateException("cannot open the replica store in " + dir + ": " + e.getMessage()
                    + " (is another worker using this directory?)", e);
        }
    }

    @Override
    public Versioned get(String key) {
        try {
            byte[] bytes = db.get(values, key.getBytes(StandardCharsets.UTF_8));
            return bytes == null ? null : StoredValueFormat.decode(bytes);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read key from store " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<Integer, PartitionPosition> positions() {
        Map<Integer, PartitionPosition> result = new HashMap<>();
        try (RocksIterator it = db.newIterator(offsets)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                ByteBuffer value = ByteBuffer.wrap(it.value());
                result.put(ByteBuffer.wrap(it.key()).getInt(), new PartitionPosition(value.getLong(), value.getLong()));
            }
        }
        return result;
    }

    @Override
    public PurgeChunk purge(BiPredicate<String, Versioned> purgeable, String from, int maxKeys) {
        int scanned = 0;
        int purged = 0;
        try (RocksIterator it = db.newIterator(values); WriteBatch wb = new WriteBatch()) {
            if (from == null) {
                it.seekToFirst();
            } else {
                it.seek(from.getBytes(StandardCharsets.UTF_8));
            }
            for (; it.isValid() && scanned < maxKeys; it.next()) {
                scanned++;
                if (purgeable.test(new String(it.key(), StandardCharsets.UTF_8), StoredValueFormat.decode(it.value()))) {
                    wb.delete(values, it.key());
                    purged++;
                }
            }
            // Keys are stored as the UTF-8 of Java strings, so they decode back to the same key.
            String resumeFrom = it.isValid() ? new String(it.key(), StandardCharsets.UTF_8) : null;
            if (purged > 0) {
                db.write(writeOptions, wb);
            }
            return new PurgeChunk(scanned, purged, resumeFrom);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot purge expired entries in store " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(StoreBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        try (WriteBatch wb = new WriteBatch()) {
            for (Map.Entry<String, Versioned> e : batch.values().entrySet()) {
                wb.put(values, e.getKey().getBytes(StandardCharsets.UTF_8), StoredValueFormat.encode(e.getValue()));
            }
            for (Map.Entry<Integer, PartitionPosition> e : batch.positions().entrySet()) {
                wb.put(offsets, ByteBuffer.allocate(4).putInt(e.getKey()).array(),
                        ByteBuffer.allocate(16).putLong(e.getValue().next()).putLong(e.getValue().replayFrom()).array());
            }
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot commit a batch to store " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        writeOptions.close();
        cfOptions.close();
        dbOptions.close();
    }
}
