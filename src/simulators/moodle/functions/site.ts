import { multiple, single, v } from '../params';
import type { MoodleStore } from '../store';
import type { WsFunction } from './shared';

/**
 * core_webservice_get_site_info. The functions it lists are the service's, which only the registry knows: the
 * registry passes a getter in (read at call time) rather than this module importing the registry back.
 */
export function siteFunctions(
  serviceFunctions: (store: MoodleStore) => readonly string[],
): Record<string, WsFunction> {
  return {
    core_webservice_get_site_info: {
      params: single({ serviceshortnames: multiple(v('raw'), { optional: true }) }),
      run: (_p, store) => {
        const me = store.userByUsername('wsgateway')!;
        return {
          sitename: 'Campus Graph Demo Moodle',
          username: me.username,
          firstname: me.firstname,
          lastname: me.lastname,
          fullname: `${me.firstname} ${me.lastname}`,
          lang: 'en',
          userid: me.id,
          siteurl: store.siteUrl,
          userpictureurl: `${store.siteUrl}/theme/image.php/boost/core/1/u/f1`,
          functions: serviceFunctions(store).map((name) => ({
            name,
            version: name.startsWith('enrol_manual') ? '2025041400' : '2025041406.11',
          })),
          downloadfiles: 0,
          uploadfiles: 0,
          release: '5.0.6+ (Build: 20260403)',
          version: '2025041406.11',
          mobilecssurl: '',
          advancedfeatures: [
            'usecomments',
            'usetags',
            'enablenotes',
            'messaging',
            'enableblogs',
            'enablecompletion',
            'enablebadges',
            'messagingallusers',
            'enablecustomreports',
            'enableglobalsearch',
            'mnet_dispatcher_mode',
            'enablecompetencies',
          ].map((name) => ({
            name,
            value: ['messagingallusers', 'enableglobalsearch', 'mnet_dispatcher_mode'].includes(
              name,
            )
              ? 0
              : 1,
          })),
          usercanmanageownfiles: true,
          userquota: 104857600,
          usermaxuploadfilesize: 2097152,
          userhomepage: 1,
          userprivateaccesskey: '5f4dcc3b5aa765d61d8327deb882cf99',
          siteid: 1,
          sitecalendartype: 'gregorian',
          usercalendartype: 'gregorian',
          userissiteadmin: false,
          theme: 'boost',
          limitconcurrentlogins: 0,
          policyagreed: 0,
        };
      },
    },
  };
}
