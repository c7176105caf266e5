using LmCompare.Cli.Options;
using LmCompare.Core;
using LmCompare.Core.Embeddings;
using LmCompare.Corpus;
using LmCompare.Corpus.Models;
using LmCompare.Counting.Pairs;
using LmCompare.Transformer;

namespace LmCompare.Cli.Generation;

/// <summary>The word vectors of a model: the transformer's token embeddings, or PPMI + SVD vectors of the pair counts.</summary>
public static class EmbeddingSources
{
    public static EmbeddingSpace Open(Workspace workspace, string name)
    {
        var id = ModelIdentity.Read(workspace, name);
        switch (id.Kind)
        {
            case GptModelManifest.KindName:
            {
                using var model = GptModelLoader.Load(workspace, name);
                var vectors = model.TokenEmbeddings(out int dimensions);
                return new EmbeddingSpace($"{name} (token embeddings)", model.Vocabulary, vectors, dimensions);
            }
            case PairModelManifest.KindName:
            {
                using var model = PairModelLoader.Load(workspace, name, CountingBackendOptions.Locations);
                var vectors = PairEmbeddings.LoadOrCompute(id.Directory, model.Probabilities.Tables, out int dimensions);
                return new EmbeddingSpace($"{name} (PPMI + SVD of pair counts)", model.Vocabulary, vectors, dimensions);
            }
            default:
                throw new InputException($"model {name} is a {id.Kind} model: word vectors come from a gpt or a pairs model");
        }
    }
}
