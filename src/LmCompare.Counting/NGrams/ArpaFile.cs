using System.Globalization;
using System.IO.Compression;
using System.Text;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// ARPA backoff language model files (log10 probabilities and backoffs), as SRILM defined them and KenLM reads and
/// writes them: a <c>\data\</c> header with the count per order, one <c>\N-grams:</c> section per order, <c>\end\</c>.
/// </summary>
public static class ArpaFile
{
    /// <summary>Writes the model; sections list n-grams in KenLM's word order (unigrams by id, higher orders sorted by their words).</summary>
    public static void Write(string path, NGramModelData model, Vocabulary vocabulary)
    {
        string temp = path + ".tmp";
        Stream stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionLevel.Fastest);
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
        {
            writer.NewLine = "\n";
            writer.WriteLine();
            writer.WriteLine("\\data\\");
            for (int k = 1; k <= model.Order; k++) writer.WriteLine($"ngram {k}={model.Tables[k - 1].Count}");
            for (int k = 1; k <= model.Order; k++)
            {
                writer.WriteLine();
                writer.WriteLine($"\\{k}-grams:");
                var table = model.Tables[k - 1];
                foreach (int i in SortedIndexes(table, model.KenLmRank))
                {
                    writer.Write(Format(table.Prob[i]));
                    writer.Write('\t');
                    var words = table.Words(i);
                    for (int j = 0; j < words.Length; j++) { if (j > 0) writer.Write(' '); writer.Write(vocabulary[words[j]]); }
                    if (k < model.Order) { writer.Write('\t'); writer.Write(Format(table.Backoff[i])); }
                    writer.Write('\n');
                }
            }
            writer.WriteLine();
            writer.WriteLine("\\end\\");
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The shortest decimal that reads back as the same float (what KenLM prints).</summary>
    private static string Format(float value) => value == 0 ? "0" : value.ToString("R", CultureInfo.InvariantCulture);

    private static int[] SortedIndexes(NGramTable table, int[] rank)
    {
        var order = Enumerable.Range(0, table.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var x = table.Words(a);
            var y = table.Words(b);
            for (int j = 0; j < x.Length; j++) if (x[j] != y[j]) return rank[x[j]].CompareTo(rank[y[j]]);
            return 0;
        });
        return order;
    }

    /// <summary>
    /// Reads an ARPA file (.gz too) into tables over <paramref name="vocabulary"/>; words the vocabulary lacks are an
    /// error. Every malformed line is an <see cref="InputException"/> naming the file and line.
    /// </summary>
    public static NGramModelData Read(string path, Vocabulary vocabulary)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: ARPA file not found");
        using var reader = new ArpaReader(path);
        var counts = reader.ReadHeader();
        var tables = new NGramTable[counts.Count];
        for (int k = 1; k <= counts.Count; k++) tables[k - 1] = reader.ReadSection(k, counts[k - 1], counts.Count, vocabulary,
            k == 1 ? null : tables[0]);
        reader.ReadEnd();
        var rank = Enumerable.Range(0, vocabulary.Count).ToArray();
        return new NGramModelData(tables, [], rank);
    }
}
