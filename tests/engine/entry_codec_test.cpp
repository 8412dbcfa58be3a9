#include "cohours/entry.h"

#include <doctest/doctest.h>

#include "cohours/record.h"
#include "entry_vectors.h"

using namespace cohours;

namespace {

struct Vector {
  const char* kind;
  const char* signed_bytes_hex;
  const char* id_hex;
};

// Pinned canonical bytes (docs/data-format.md): changing any of these is a
// change of the signed format and needs a new format version.
const Vector kVectors[] = {
    {"member.join",
     "010100018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea101000007000000000000008139770ea87d175f56a35466c34c7ecccb8d8a"
     "91b4ee37a25df60f5b8fc9b39403000000ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1c29fa"
     "f09ab158f211d63fbed340bc624bc541a4655c905c44775feb02d5c9d31f2f14c29ea58f865bb8640c3d0c7a97c4d8269988355"
     "ea87c785dc6bddf3e909",
     "1659ba95cc5549b679fc7bbd2bf3a5d324ec7e6b979de137a90f6ef47a8bd747"},
    {"member.role",
     "010100028a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea101000007000000000000008139770ea87d175f56a35466c34c7ecccb8d8a"
     "91b4ee37a25df60f5b8fc9b39420000000ec6158a124ad67f70ce2695898e51bfad1421b2a7703edfc6d27e1d13841d7100d913"
     "0134b7caa1b2504435a95b273b77c3111df8e1dc78eab04af064e1b5009",
     "dd93cfaabf17bbd2cd02e0be61fc6c71c1818d6cb86e4047771016a40978a4e2"},
    {"policy.set",
     "010100038a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea10100000700000000000000020102000000a8fdffffffffffff0004000000"
     "0000000000000000000207726573706974650967617264656e696e6770c652c5ceccb81171fa69f86d47a453b4469912b3781da"
     "2de7da9b84a9ebb9dc4e18b8eb794e5117dd1c2468fac8fd4c7833c0a015bac08261a72f0792fa707",
     "ad42aa25e801c0368620cb1888a8d035bbbed0076e38300ce874ee07e8f4035e"},
    {"hours.log",
     "010100048a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea101000007000000000000008139770ea87d175f56a35466c34c7ecccb8d8a"
     "91b4ee37a25df60f5b8fc9b3940178000000000000000b6265667269656e64696e6729510000aaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa6633f0133850e36659d9ed3fbf69a396c28578a3c8f984e753c610e4f32be78add"
     "b591cd4f40c1a6703d60f603e326ed91392d45614eef3d8884f04c89a7d90f",
     "734bc742db63638563e0a8b35f29f95f34b1a32a36d9794b0cecc1e3c9031882"},
    {"hours.confirm",
     "010100058a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c8139770ea87d175f56a35466c34c7ec"
     "ccb8d8a91b4ee37a25df60f5b8fc9b394005e56eea1010000070000000000000011111111111111111111111111111111111111"
     "11111111111111111111111111be00f9500953e81bb306ab06966a6c0b80042cbe5adf39c5a8d2cb4490bc041389ddff9280d93"
     "ffca7cb25762510b3b115e3f51414a7f03ad83db173a6a1da08",
     "935f2754fb885e0e7f2d2b3ff9e1283b860e000d5941ae98de8f05ce6c013dfc"},
    {"hours.void",
     "010100068a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea1010000070000000000000011111111111111111111111111111111111111"
     "111111111111111111111111112222222222222222222222222222222222222222222222222222222222222222b40fdd9e08516"
     "3a5bd05f4926d6d629709e170da03678a50416bfe90aa6ffe7ee2fcbe5d31bd294c45db2b7543027157ff3a563a009fac4a543a"
     "5154fbd8650a",
     "aa3714e878211df78017693fb1e0c958759a493bb27e5d225204f35561a961fa"},
    {"transfer",
     "010100078a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea101000007000000000000008139770ea87d175f56a35466c34c7ecccb8d8a"
     "91b4ee37a25df60f5b8fc9b3941e000000000000003333333333333333333333333333333333333333333333333333333333333"
     "3331c8026771a914b703b048b5478f75028403716a247368637ca0e676ce11abf798eec1c286a81b67126c6063bfe45593fe9a9"
     "a4ee953248c65c41d35a215e0e05",
     "8d2fedd9c9b8fd0baf5ee0954174fd3e542fe53d68c66a95cd2bf69f65d085b1"},
    {"respite.request",
     "010100088a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea10100000700000000000000b4000000000000003151000000000000000000"
     "00000000000000000000000000000000000000000000000000710d9325dcdf5c3844e497d3b9ffdce9049cd9dc30a9e755aa9be"
     "09a48d05d8e0310cc5c29e153fbc33eb3490256b29eeaf05e4248f145c3b5fc59532ab7c606",
     "78030d59e8a62dc3619b49992319700b9625a3f3e4613610b10d70eb9e55c5b1"},
    {"respite.offer",
     "010100098a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea1010000070000000000000044444444444444444444444444444444444444"
     "44444444444444444444444444724c45764a9efa9810fd8e497989918b8ceb2f6a91d7c7bf67d9f66a7393b9a9b6a7fad5c92fa"
     "bf47d3c8e3787f17b7f21ba96f000cd2157729ca2896e1b5107",
     "6daadd1986e87f5f58f8c1e4fb9df921de036f9e911b195bc85195c3ead43c09"},
    {"respite.cancel",
     "0101000a8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea1010000070000000000000044444444444444444444444444444444444444"
     "444444444444444444444444449194f333cc0a95a6e89728cf9e7769fcbefb060757e10bdb7e4fc77afe150466f1c052b6633c8"
     "2291b3000f3a6975a443b3301b0b6104d9f224a300bb120ca0d",
     "4f6c4e0bf80d449a190bad7ae94f95369b2868946b5a991b06288a8e53461852"},
    {"reversal",
     "0101000b8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea1010000070000000000000055555555555555555555555555555555555555"
     "55555555555555555555555555000000000000000000000000000000000000000000000000000000000000000090d83527a3a72"
     "180404cdf9569f3def021be3cc1a973fa324ddc6457f3dd5602c45546a86e71fe0558ad43392ba4919494cc304ca1538c8432b0"
     "2bd801e38a0d",
     "6e99a27441bd04faa69bb1df73445e0f10189b6a830bd8595f401732de60341f"},
    {"expense.claim",
     "0101000c8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea101000007000000000000001c0200000000000047425001295100000c0000"
     "0066666666666666666666666666666666666666666666666666666666666666667777777777777777777777777777777777777"
     "7777777777777777777777777770000000000000000000000000000000000000000000000000000000000000000b00e5d396245"
     "68a5a1355d5fc209a48c66ec5ae90f9223abe9621664c2ccfd5f78e926a7f83d50ab935450bca1d780778d6040136bb74bc6010"
     "edb979b4c1c00",
     "43a583a3081c8b6cbfacdc8aecc9595311f5d81922c70ce01c13cd9f910df7cf"},
    {"expense.approve",
     "0101000d8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea1010000070000000000000088888888888888888888888888888888888888"
     "888888888888888888888888880000000000000000000000000000000000000000000000000000000000000000e6b1f44442b64"
     "73dcb3c7f9b3393cf79e775265a1edd244e1215d44edce437d432868fb5d6497654ef5301ca602e6470c6a1dae9b5778a77aad1"
     "5abdf6691409",
     "ebda88b2ed33cd05e51939ec11ab1ef8231eeab6e1d76c8c8e27286d53e45947"},
    {"expense.reject",
     "0101000e8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea1010000070000000000000088888888888888888888888888888888888888"
     "888888888888888888888888889999999999999999999999999999999999999999999999999999999999999999c24bb13b6fc74"
     "0c30faa4499744257f36e7c544cb06c4f329679e9c6a317b1eb695bebf0a7e1675efab9f847e1821c9128879817eb596781d03c"
     "1aae31b8bf03",
     "f1aae5094c92f7c61e3e1153be8f3f0350c3112bf51e6361e715614d6bbcfd5f"},
    {"expense.paid",
     "0101000f8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea1010000070000000000000088888888888888888888888888888888888888"
     "88888888888888888888888888bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb8944efbea2f1"
     "30223fde48c5c9121eae5f81140b9e97331ab1e1044ccd4766839ecd97ec2945fde8389d7e3d1a2c3f965248bdd2d927b20cfd4"
     "91869b4bd307",
     "deae96d19b259c4f0139ce46fccbd028e8db1e76d19c77b5cadf3860acd4fc34"},
    {"transfer.out",
     "010100108a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea101000007000000000000008139770ea87d175f56a35466c34c7ecccb8d8a"
     "91b4ee37a25df60f5b8fc9b394ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d13c00000000000"
     "000cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc9200124b18b9cb9e7a05247e80d7bd7cddbb"
     "1a4c4070659f9bb18ffc00c1ea12056b02e36233103ecbf11226e44f3e1af705f9d9e934d53a8c198fbba5940c0b",
     "dd70140aa71c41db6acee338be09799372e50f1427c27b1576199b8174e4a1cf"},
    {"transfer.in",
     "010100118a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea10100000700000000000000ed4928c628d1c2c6eae9033890599561295927"
     "3a5c63f93636c14614ac8737d1dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd8139770ea87d1"
     "75f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3943c0000000000000041941bdd2026b3bc77f47a01ec71c7653013"
     "325338bdbe32473c437b24472a383dd8abd1bc7ff9d80313e4f53be286059b783b8ab2bf9fac14744b9c9618c901",
     "32ff67f5955d936dbd35e0ff103071fca7390429852a9f2bee42f9fcfeceb09c"},
    {"hours.log.remote",
     "010100128a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c0000000000000000000000000000000"
     "000000000000000000000000000000000005e56eea101000007000000000000008139770ea87d175f56a35466c34c7ecccb8d8a"
     "91b4ee37a25df60f5b8fc9b394ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d18139770ea87d1"
     "75f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3940178000000000000000b6265667269656e64696e6729510000aa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa63eaecc55b102be3306271c1bec42dca16953bed4"
     "a9c68ed43e795afe4d36d7acfe0ca9606c808e472452bbd69f5e580308e32ef5e38c61e0852d571c59fa30e",
     "b70f12d3cb175552a4acf46e93563e7fecbfdbd568bc58b4b6971e417a08b6a7"},
};

Bytes hex_bytes(const char* hex) {
  return *from_hex(hex);
}

}  // namespace

TEST_CASE("each kind encodes to its pinned canonical bytes and id") {
  auto entries = test::vector_entries();
  REQUIRE(entries.size() == std::size(kVectors));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    CAPTURE(kVectors[i].kind);
    CHECK(std::string(kind_name(entries[i].kind())) == kVectors[i].kind);
    SignedEntry signed_entry = sign_entry(entries[i], test::vector_key(1).secret_key);
    CHECK(to_hex(signed_entry.bytes) == kVectors[i].signed_bytes_hex);
    CHECK(to_hex(signed_entry.id) == kVectors[i].id_hex);
    CHECK(to_hex(blake2b_256(signed_entry.bytes)) == kVectors[i].id_hex);
    auto decoded = decode_entry(hex_bytes(kVectors[i].signed_bytes_hex));
    REQUIRE(decoded.ok());
    CHECK(verify_signature(decoded.value()));
    CHECK(encode_unsigned(decoded->entry) == encode_unsigned(entries[i]));
    CHECK(decoded->id == signed_entry.id);
  }
}

TEST_CASE("the header layout is as documented") {
  Bytes bytes = encode_unsigned(test::vector_entries()[3]);
  CHECK(bytes[0] == 1);  // cereal portable binary: little endian
  CHECK((bytes[1] | bytes[2] << 8) == kEntryFormatVersion);
  CHECK(bytes[3] == static_cast<std::uint8_t>(EntryKind::hours_log));
  CHECK(std::equal(bytes.begin() + 4, bytes.begin() + 36, test::vector_key(1).public_key.bytes.begin()));
  for (int i = 36; i < 68; ++i) CHECK(bytes[i] == 0);  // no on_behalf
  std::int64_t created = 0;
  for (int i = 0; i < 8; ++i) created |= static_cast<std::int64_t>(bytes[68 + i]) << (8 * i);
  CHECK(created == 1'795'000'000'000);
  CHECK(bytes[76] == 7);  // nonce, little endian
}

TEST_CASE("decoding is strict") {
  SignedEntry good = sign_entry(test::vector_entries()[3], test::vector_key(1).secret_key);
  auto decode = [](Bytes b) { return decode_entry(b).code(); };
  CHECK(decode(good.bytes) == Code::ok);
  SUBCASE("truncated anywhere") {
    for (std::size_t n = 0; n < good.bytes.size(); ++n)
      CHECK(decode(Bytes(good.bytes.begin(), good.bytes.begin() + static_cast<long>(n))) == Code::malformed);
  }
  SUBCASE("trailing bytes before the signature") {
    Entry entry = test::vector_entries()[4];
    Bytes body = encode_unsigned(entry);
    body.push_back(0);
    Signature sig = sign(body, test::vector_key(1).secret_key);
    body.insert(body.end(), sig.bytes.begin(), sig.bytes.end());
    CHECK(decode(body) == Code::malformed);
  }
  SUBCASE("big-endian marker, unknown version, unknown kind") {
    Bytes b = good.bytes;
    b[0] = 0;
    CHECK(decode(b) == Code::malformed);
    b = good.bytes;
    b[1] = 2;
    CHECK(decode(b) == Code::malformed);
    b = good.bytes;
    b[3] = 0;
    CHECK(decode(b) == Code::malformed);
    b[3] = 200;
    CHECK(decode(b) == Code::malformed);
  }
  SUBCASE("bad category and out-of-range enum") {
    Entry entry = test::vector_entries()[3];
    std::get<HoursLog>(entry.body).category = "Befriending";
    CHECK(decode(sign_entry(entry, test::vector_key(1).secret_key).bytes) == Code::malformed);
    Bytes b = good.bytes;
    b[4 + 64 + 16 + 32] = 9;  // payer
    CHECK(decode(b) == Code::malformed);
  }
  SUBCASE("a huge declared length is refused, not allocated") {
    Entry entry = test::vector_entries()[2];
    Bytes b = encode_unsigned(entry);
    b.resize(b.size() + 64);
    Bytes settings = b, categories = b;
    settings[84] = 255;                    // settings count, limit 16
    categories[84 + 1 + 1 + 4 + 8] = 255;  // first setting's category count, limit 64
    CHECK(decode(settings) == Code::malformed);
    CHECK(decode(categories) == Code::malformed);
  }
}

TEST_CASE("records and tree heads round trip and refuse garbage") {
  Record record{5, test::vector_hash(9), 1'795'000'000'000, {1, 2, 3}};
  Bytes bytes = encode_record(record);
  auto decoded = decode_record(bytes);
  REQUIRE(decoded.ok());
  CHECK(decoded->seq == 5);
  CHECK(decoded->prev_hash == record.prev_hash);
  CHECK(decoded->entry == record.entry);
  bytes.push_back(0);
  CHECK(decode_record(bytes).code() == Code::malformed);
  CHECK(decode_record(Bytes{1, 2}).code() == Code::malformed);

  TreeHead head{test::vector_key(3).public_key, 10, test::vector_hash(7), 1'795'000'000'000};
  SignedTreeHead signed_head = sign_tree_head(head, test::vector_key(3).secret_key);
  CHECK(verify_tree_head(signed_head));
  auto round = decode_signed_tree_head(encode_signed_tree_head(signed_head));
  REQUIRE(round.ok());
  CHECK(verify_tree_head(round.value()));
  // A head signature is not valid as an entry signature over the same bytes.
  CHECK_FALSE(verify(signed_head.signature, encode_tree_head(head), head.log));
  signed_head.head.size = 11;
  CHECK_FALSE(verify_tree_head(signed_head));
}
