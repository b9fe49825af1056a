import { registerLocale, type LocaleStrings } from '../i18n.js';

const server: Readonly<Record<string, string>> = {
  rate_limited: 'リクエストが多すぎます。しばらくしてから再試行してください。',
  upstream_rate_limited: 'リクエストが多すぎます。しばらくしてから再試行してください。',
  context_length_exceeded: '会話がモデルの上限を超えています。',
  payload_too_large: '会話がモデルの上限を超えています。',
  upstream_unavailable: 'アシスタントは現在利用できません。後でもう一度お試しください。',
  upstream_timeout: 'アシスタントは現在利用できません。後でもう一度お試しください。',
  upstream_error: 'アシスタントは現在利用できません。後でもう一度お試しください。',
};

/** Japanese (`ja`): importing this module registers it for every `<ai-stream-chat>` whose language is Japanese. */
const ja = {
  send: '送信',
  cancel: 'キャンセル',
  retry: '再試行',
  cancelled: 'キャンセルしました。',
  retrying: '再試行中…',
  retryingIn: (seconds) => `${seconds} 秒後に再試行します…`,
  copy: 'コピー',
  copyAnswer: '回答をコピー',
  copyCode: 'コードをコピー',
  code: 'コード',
  copied: 'コピーしました',
  regenerate: '再生成',
  edit: '編集',
  editLast: '最後のメッセージを編集',
  chat: 'チャット',
  closeChat: 'チャットを閉じる',
  suggestions: 'おすすめ',
  jumpToLatest: '最新へ移動',
  newChat: '新しいチャット',
  conversation: '会話',
  placeholder: '質問を入力…',
  messageLabel: 'メッセージ',
  thinking: '考え中…',
  thoughts: '思考過程',
  writing: 'アシスタントが入力中…',
  answerReady: '回答の準備ができました。',
  // Japanese has no plural forms (Intl.PluralRules says `other` for every count).
  promptTokens: (count) => `プロンプト ${count} トークン`,
  completionTokens: (count) => `応答 ${count} トークン`,
  tokensPerSecond: (speed) => `${speed} トークン/秒`,
  networkError: 'サーバーに接続できませんでした。',
  httpError: (status) => `サーバーが ${status} を返しました。`,
  streamInterrupted: '回答が完了する前に接続が切れました。',
  protocolError: 'サーバーがイベントストリームで応答しませんでした。',
  internalError: '回答の読み込み中に問題が発生しました。',
  originNotAllowed: 'チャットサーバーはこのページからのリクエストを受け付けていません。',
  serverError: (code) => server[code] ?? `リクエストに失敗しました（${code}）。`,
} satisfies LocaleStrings;

registerLocale('ja', ja);
export default ja;
