using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticMatch.Collections;

namespace SemanticMatch.Server.Api;

/// <summary>System.Text.Json source generation for every type the API reads or writes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(RecordJson)])]
[JsonSerializable(typeof(CreateCollectionRequest))]
[JsonSerializable(typeof(CollectionResponse))]
[JsonSerializable(typeof(CollectionListResponse))]
[JsonSerializable(typeof(UpsertResponse))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(SimilarResponse))]
[JsonSerializable(typeof(MatchRequest))]
[JsonSerializable(typeof(MatchResponse))]
[JsonSerializable(typeof(EmbedRequest))]
[JsonSerializable(typeof(EmbedResponse))]
[JsonSerializable(typeof(FeedbackRequest))]
[JsonSerializable(typeof(EventsResponse))]
[JsonSerializable(typeof(GenerationResponse))]
[JsonSerializable(typeof(OpenAiEmbeddingsRequest))]
[JsonSerializable(typeof(OpenAiEmbeddingsResponse))]
[JsonSerializable(typeof(RerankRequest))]
[JsonSerializable(typeof(RerankResponse))]
[JsonSerializable(typeof(SynonymsBody))]
[JsonSerializable(typeof(SuggestResponse))]
[JsonSerializable(typeof(TeiRerankRequest))]
[JsonSerializable(typeof(IReadOnlyList<TeiRank>))]
[JsonSerializable(typeof(OpenAiModel))]
[JsonSerializable(typeof(OpenAiModelList))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Record))]
[JsonSerializable(typeof(IReadOnlyList<Record>))]
[JsonSerializable(typeof(EventRequest))]
internal sealed partial class ServerJson : JsonSerializerContext;
