using LmCompare.Core;
using MathNet.Numerics.LinearAlgebra;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Word vectors from the pair-distance counts, for comparing with the transformer's embeddings. Each word w is described
/// by its left contexts: the columns are (u, d) = "u stood d tokens before w", the cells positive pointwise mutual
/// information with context-distribution smoothing (PPMI, alpha = 0.75; Levy, Goldberg and Dagan 2015), reduced to
/// <see cref="Dimensions"/> by a randomized truncated SVD (Halko, Martinsson and Tropp 2011): Y = M Omega with a
/// hashed +-1 test matrix, Q = qr(Y), the eigenvectors W of Q^T M M^T Q, U = Q W; a word's vector is U_w Sigma^(1/2).
/// The table rows are exactly the columns (u, d), so M is read column by column without a transpose.
/// Cached in the model folder as <c>vectors.bin</c> (little-endian: "LMCV", V, dimensions, then V x dimensions floats).
/// </summary>
public static class PairEmbeddings
{
    public const int Dimensions = 64;
    private const int Oversample = 10;
    private const double Alpha = 0.75;
    public const string CacheFile = "vectors.bin";

    public static float[] Compute(PairTables t, int dimensions = Dimensions)
    {
        int v = t.VocabularySize, k = Math.Min(dimensions + Oversample, v);
        var (rowSums, columnWeights, total) = Marginals(t);
        double Ppmi(long count, int row, long column) =>
            Math.Max(0, Math.Log(count / total) - Math.Log(rowSums[row] / total) - Math.Log(columnWeights[column]));

        var y = new double[v, k];                                              // (V, k) = M Omega
        ForEachCell(t, (column, row, count) =>
        {
            double m = Ppmi(count, row, column);
            if (m == 0) return;
            for (int j = 0; j < k; j++) y[row, j] += Sign(column, j) * m;
        });
        var q = Orthonormal(Matrix<double>.Build.DenseOfArray(y));               // (V, k)
        q = Orthonormal(MTimesMTransposed(t, q, Ppmi));                          // one power iteration sharpens the top of the spectrum
        var g = MTimesMTransposed(t, q, Ppmi);                                  // (V, k)
        var evd = (q.TransposeThisAndMultiply(g)).Evd(Symmetricity.Symmetric); // (k, k), eigenvalues ascending
        var vectors = new float[v * dimensions];
        var u = q * evd.EigenVectors;                                           // (V, k)
        for (int d = 0; d < Math.Min(dimensions, k); d++)
        {
            int e = k - 1 - d;                                                  // largest first
            double scale = Math.Pow(Math.Max(evd.EigenValues[e].Real, 0), 0.25); // sigma^(1/2) = lambda^(1/4)
            for (int w = 0; w < v; w++) vectors[w * dimensions + d] = (float)(u[w, e] * scale);
        }
        return vectors;
    }

    private static Matrix<double> Orthonormal(Matrix<double> y) => y.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).Q;

    /// <summary>M M^T Q, reading M column by column (a table row is a column): z = M_c^T Q, then M_c z into the rows.</summary>
    private static Matrix<double> MTimesMTransposed(PairTables t, Matrix<double> q, Func<long, int, long, double> ppmi)
    {
        int k = q.ColumnCount;
        var g = Matrix<double>.Build.Dense(q.RowCount, k);
        var z = new double[k];
        long current = -1;
        var cells = new List<(int Row, double M)>();
        void Flush()
        {
            Array.Clear(z);
            foreach (var (row, m) in cells) for (int j = 0; j < k; j++) z[j] += m * q[row, j];
            foreach (var (row, m) in cells) for (int j = 0; j < k; j++) g[row, j] += m * z[j];
            cells.Clear();
        }
        ForEachCell(t, (column, row, count) =>
        {
            if (column != current) { Flush(); current = column; }
            double m = ppmi(count, row, column);
            if (m > 0) cells.Add((row, m));
        });
        Flush();
        return g;
    }

    /// <summary>Row sums of M's counts per word, smoothed context probabilities c(u,d)^alpha / sum, and the total count.</summary>
    private static (double[] Rows, double[] Columns, double Total) Marginals(PairTables t)
    {
        var rows = new double[t.VocabularySize];
        var columns = new double[t.RowTotal.Length];
        double total = 0, smoothed = 0;
        ForEachCell(t, (column, row, count) => { rows[row] += count; total += count; });
        for (long c = 0; c < columns.Length; c++) smoothed += columns[c] = Math.Pow(t.RowTotal[c], Alpha);
        for (long c = 0; c < columns.Length; c++) columns[c] /= smoothed;
        return (rows, columns, total);
    }

    private static void ForEachCell(PairTables t, Action<long, int, long> cell) => t.ForEachEntry((column, v, count) => cell(column, v, count));

    /// <summary>Entry (column, j) of the test matrix: +-1 from a hash, so Omega is never stored.</summary>
    private static double Sign(long column, int j)
    {
        ulong z = (ulong)column * 0x9E3779B97F4A7C15UL + (ulong)j * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 31)) * 0x94D049BB133111EBUL;
        return ((z >> 40) & 1) == 0 ? 1.0 : -1.0;
    }

    /// <summary>The cached vectors of a model folder, computed and written (temporary file, then rename) when missing.</summary>
    public static float[] LoadOrCompute(string modelDirectory, PairTables tables, out int dimensions)
    {
        string path = Path.Combine(modelDirectory, CacheFile);
        if (File.Exists(path))
        {
            try
            {
                using var reader = new BinaryReader(File.OpenRead(path));
                if (reader.ReadUInt32() == 0x5643_4D4C && reader.ReadInt32() == tables.VocabularySize)
                {
                    dimensions = reader.ReadInt32();
                    var cached = new float[tables.VocabularySize * dimensions];
                    for (int i = 0; i < cached.Length; i++) cached[i] = reader.ReadSingle();
                    return cached;
                }
            }
            catch (Exception e) when (e is IOException or OverflowException or OutOfMemoryException) { } // damaged cache: compute again
        }
        dimensions = Math.Min(Dimensions, tables.VocabularySize);
        var vectors = Compute(tables, dimensions);
        string temp = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temp)))
        {
            writer.Write(0x5643_4D4Cu);
            writer.Write(tables.VocabularySize);
            writer.Write(dimensions);
            foreach (float x in vectors) writer.Write(x);
        }
        File.Move(temp, path, overwrite: true);
        return vectors;
    }
}
