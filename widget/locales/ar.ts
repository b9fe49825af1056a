import { registerLocale, type LocaleStrings } from '../i18n.js';

const server: Readonly<Record<string, string>> = {
  rate_limited: 'طلبات كثيرة جدًا. حاول مرة أخرى بعد قليل.',
  upstream_rate_limited: 'طلبات كثيرة جدًا. حاول مرة أخرى بعد قليل.',
  context_length_exceeded: 'المحادثة أطول مما يحتمله النموذج.',
  payload_too_large: 'المحادثة أطول مما يحتمله النموذج.',
  upstream_unavailable: 'المساعد غير متاح حاليًا. حاول مرة أخرى لاحقًا.',
  upstream_timeout: 'المساعد غير متاح حاليًا. حاول مرة أخرى لاحقًا.',
  upstream_error: 'المساعد غير متاح حاليًا. حاول مرة أخرى لاحقًا.',
};

/** "token" after a number, by Arabic plural category: dual, 3–10, 11–99, else singular. */
function tokens(count: string, plural: Intl.LDMLPluralRule): string {
  const word = plural === 'two' ? 'رمزان' : plural === 'few' ? 'رموز' : plural === 'many' ? 'رمزًا' : 'رمز';
  return `${count} ${word}`;
}

/** Arabic (`ar`), written right to left: importing this module registers it for every `<ai-stream-chat>` whose language is Arabic. */
const ar = {
  send: 'إرسال',
  cancel: 'إلغاء',
  retry: 'إعادة المحاولة',
  cancelled: 'تم الإلغاء.',
  retrying: 'جارٍ إعادة المحاولة…',
  retryingIn: (seconds) => `إعادة المحاولة خلال ${seconds} ث…`,
  copy: 'نسخ',
  copyAnswer: 'نسخ الإجابة',
  copyCode: 'نسخ الشيفرة',
  code: 'شيفرة',
  copied: 'تم النسخ',
  regenerate: 'إعادة الإنشاء',
  edit: 'تعديل',
  editLast: 'تعديل رسالتك الأخيرة',
  chat: 'دردشة',
  closeChat: 'إغلاق الدردشة',
  suggestions: 'اقتراحات',
  jumpToLatest: 'الانتقال إلى الأحدث',
  newChat: 'دردشة جديدة',
  conversation: 'المحادثة',
  placeholder: 'اسأل عن أي شيء…',
  messageLabel: 'الرسالة',
  thinking: 'يفكّر…',
  thoughts: 'الأفكار',
  writing: 'المساعد يكتب…',
  answerReady: 'الإجابة جاهزة.',
  promptTokens: (count, plural) => `الطلب: ${tokens(count, plural)}`,
  completionTokens: (count, plural) => `الإجابة: ${tokens(count, plural)}`,
  tokensPerSecond: (speed) => `${speed} رمز/ث`,
  networkError: 'تعذّر الوصول إلى الخادم.',
  httpError: (status) => `ردّ الخادم بالرمز ${status}.`,
  streamInterrupted: 'انقطع الاتصال قبل اكتمال الإجابة.',
  protocolError: 'لم يردّ الخادم بتدفق أحداث.',
  internalError: 'حدث خطأ أثناء قراءة الإجابة.',
  originNotAllowed: 'خادم الدردشة لا يقبل الطلبات من هذه الصفحة.',
  serverError: (code) => server[code] ?? `فشل الطلب (${code}).`,
} satisfies LocaleStrings;

registerLocale('ar', ar);
export default ar;
